-- Storage that stays bounded (issue 13).

-- Expired temporary credentials and sessions are swept in batches found by expiry.
create index request_tokens_by_expiry on request_tokens (expires_at);
create index sessions_by_expiry on sessions (expires_at);

-- Nonces (RFC 5849 §3.3) are remembered by a SHA-256 digest of their whole key (client,
-- token, timestamp, nonce), hex-encoded: a fixed 64 characters per row whatever the
-- client sent. The old rows only matter for the few minutes of the timestamp window.
drop table nonces;
create table nonces (
    key_digest text primary key,
    expires_at bigint not null
);
create index nonces_by_expiry on nonces (expires_at);

-- Server-side keys shared by every instance on this database: the CSRF key signs the
-- tokens of forms shown to visitors who have no session.
create table server_keys (
    name text primary key,
    secret text not null,
    created_at bigint not null
);
