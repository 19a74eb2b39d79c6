//! The HTTP plumbing around every route: the checks each request passes, the headers each
//! response carries, errors as pages, who is signed in, probes and request ids.

pub mod api_errors;
pub mod browser_half;
pub mod error;
pub mod guard;
pub mod headers;
pub mod ops;
pub mod remote_log;
pub mod user;
