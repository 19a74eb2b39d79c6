-- The demo site's database: SQLite by default, Postgres by DATABASE_URL. Written in the
-- SQL both accept (sqlx's Any driver runs the same file on each).

-- Local users: created on the first sign-in with any remote.
create table users (
    id bigint primary key,
    display_name text not null,
    created_at bigint not null
);

-- Remote accounts linked to a local user, with their token credentials (RFC 5849 §2.3).
-- One account per user and remote; one local owner per remote account.
create table accounts (
    user_id bigint not null references users(id) on delete cascade,
    remote text not null,
    remote_user_id text not null,
    screen_name text not null,
    token text not null,
    token_secret text not null,
    linked_at bigint not null,
    primary key (user_id, remote),
    unique (remote, remote_user_id)
);

-- Temporary credentials between leg 1 and leg 3 (RFC 5849 §2.1-§2.3), keyed by
-- remote and request token. Never in the cookie.
create table temporary_credentials (
    key text primary key,
    token text not null,
    secret text not null,
    expires_at bigint not null
);

-- The last sign-in of each user, as the "how it works" page shows it: JSON list of steps,
-- secrets already removed.
create table sign_in_flows (
    user_id bigint primary key references users(id) on delete cascade,
    remote text not null,
    recorded_at bigint not null,
    steps text not null
);

-- Web sessions (tower-sessions), data as JSON text.
create table sessions (
    id text primary key,
    data text not null,
    expires_at bigint not null
);
