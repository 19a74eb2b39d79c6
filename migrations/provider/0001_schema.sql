-- The provider's schema. Portable between SQLite and Postgres: ids are 64-bit integers
-- made by the application (time-ordered, like Twitter's), times are Unix seconds.

create table users (
    id bigint primary key,
    screen_name text not null,
    -- lower-cased copy: screen names are unique regardless of case, as on Twitter
    screen_name_key text not null unique,
    name text not null,
    password_hash text not null,
    created_at bigint not null
);

-- A registered client application (RFC 5849 §1.1 "client").
create table apps (
    id bigint primary key,
    owner_id bigint not null references users (id) on delete cascade,
    name text not null,
    consumer_key text not null unique,
    consumer_secret text not null,
    access_level text not null check (access_level in ('read', 'write')),
    created_at bigint not null
);

create table app_callbacks (
    app_id bigint not null references apps (id) on delete cascade,
    url text not null,
    primary key (app_id, url)
);

-- Temporary credentials (RFC 5849 §2.1): short-lived and single-use.
create table request_tokens (
    token text primary key,
    secret text not null,
    app_id bigint not null references apps (id) on delete cascade,
    callback text not null,
    access_level text not null check (access_level in ('read', 'write')),
    -- set when the resource owner approves (§2.2)
    user_id bigint references users (id) on delete cascade,
    verifier text,
    expires_at bigint not null
);

-- Token credentials (RFC 5849 §2.3): one per user and app, like Twitter's.
create table access_tokens (
    token text primary key,
    secret text not null,
    app_id bigint not null references apps (id) on delete cascade,
    user_id bigint not null references users (id) on delete cascade,
    access_level text not null check (access_level in ('read', 'write')),
    created_at bigint not null,
    unique (app_id, user_id)
);

create table statuses (
    id bigint primary key,
    user_id bigint not null references users (id) on delete cascade,
    text text not null,
    source_app_id bigint references apps (id) on delete set null,
    created_at bigint not null
);

create index statuses_by_user on statuses (user_id, id);

-- Nonces seen (RFC 5849 §3.3), for the SQL nonce store. The primary key makes
-- "insert if absent" atomic across every instance sharing the database.
create table nonces (
    consumer_key text not null,
    token text not null,
    timestamp bigint not null,
    nonce text not null,
    expires_at bigint not null,
    primary key (consumer_key, token, timestamp, nonce)
);

create index nonces_by_expiry on nonces (expires_at);

-- Web sessions (tower-sessions), data as JSON text.
create table sessions (
    id text primary key,
    data text not null,
    expires_at bigint not null
);
