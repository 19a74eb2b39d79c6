-- OAuth 2 accounts (RFC 6749 §5.1) next to OAuth 1 ones: `kind` says which a row holds.
-- For 'oauth2' `token` is the access token and `token_secret` is '' (a bearer token has
-- no secret half); `expires_at` is seconds since the epoch, null when the service gave
-- no lifetime, and `refresh_token` null when it gave none. Written in the SQL both
-- SQLite and Postgres accept.
alter table accounts add column kind text not null default 'oauth1';
alter table accounts add column refresh_token text;
alter table accounts add column expires_at bigint;
alter table accounts add column scope text;
