-- OAuth 2.0 next to OAuth 1.0a (issue 15), as X offers it: Authorization Code with PKCE.

-- An app with OAuth 2.0 on (RFC 6749 §2). A confidential client has a secret, kept as its
-- SHA-256 digest (hex); a public client has none and proves itself with PKCE only
-- (RFC 6749 §2.1, RFC 7636).
create table oauth2_clients (
    app_id bigint primary key references apps (id) on delete cascade,
    client_id text not null unique,
    secret_digest text,
    created_at bigint not null
);

-- Redirect URIs, compared exactly (RFC 6749 §3.1.2.3).
create table oauth2_redirect_uris (
    app_id bigint not null references oauth2_clients (app_id) on delete cascade,
    uri text not null,
    primary key (app_id, uri)
);

-- Authorization codes (RFC 6749 §4.1.2), by SHA-256 digest: short-lived, single-use,
-- bound to the client, the redirect URI, the user, the scopes and the PKCE challenge.
-- A used code keeps its row (used_at, family_id) until it expires, so that a second use
-- is recognised and what the first use issued is revoked.
create table oauth2_codes (
    code_digest text primary key,
    app_id bigint not null references apps (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    redirect_uri text not null,
    scope text not null,
    code_challenge text not null,
    expires_at bigint not null,
    used_at bigint,
    family_id text
);
create index oauth2_codes_by_expiry on oauth2_codes (expires_at);

-- Access and refresh tokens (RFC 6749 §1.4, §1.5), by SHA-256 digest. A family is
-- everything issued from one authorization code, through every refresh: it is revoked as
-- one when a code or a rotated refresh token is used twice.
create table oauth2_tokens (
    token_digest text primary key,
    kind text not null check (kind in ('access', 'refresh')),
    family_id text not null,
    app_id bigint not null references apps (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    scope text not null,
    expires_at bigint not null,
    -- a refresh token that was rotated (RFC 6749 §6): presented again, it revokes its family
    used_at bigint,
    created_at bigint not null
);
create index oauth2_tokens_by_family on oauth2_tokens (family_id);
create index oauth2_tokens_by_expiry on oauth2_tokens (expires_at);
create index oauth2_tokens_by_user on oauth2_tokens (user_id, app_id);
