//! The provider's integration tests: the protocols' rules, the threats, storage, pages, faults and interop.
//! One binary with a module per concern, so the dependency tree is linked once.

mod oauth2_support;
mod support;

mod bad_input;
mod bounded_storage;
mod cross_site_threats;
mod faults;
mod health;
mod instances;
mod interop;
mod oauth2_api_v2;
mod oauth2_interop;
mod oauth2_rules;
mod oauth_rules;
mod page_threats;
mod refusals;
mod sign_in_threats;
mod sign_up_threats;
mod signed_request_threats;
mod spans;
mod storage;
mod web_pages;
