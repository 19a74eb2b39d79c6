-- Sign-ins under way, each bound to the browser that began it (see app/src/server/pending.rs).
-- `browser` is a SHA-256 of the browser's `site_browser` cookie, never the cookie itself.
-- A callback is finished only by the browser whose row names its request token. `data` is
-- the sign-in as JSON: `oauth1::PendingAuthorization`, with its binding.
create table pending_sign_ins (
    browser text not null,
    remote text not null,
    token text not null,
    data text not null,
    expires_at bigint not null,
    primary key (browser, remote, token)
);
create index pending_sign_ins_expiry on pending_sign_ins (expires_at);

-- Abandoned sign-ins are swept by expiry: an index, not a scan of the table.
create index temporary_credentials_expiry on temporary_credentials (expires_at);

-- Sessions are swept by expiry too.
create index sessions_expiry on sessions (expires_at);
