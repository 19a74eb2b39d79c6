-- A revoked OAuth 2.0 family stays revoked (issue 23, M4). Claiming a code or a refresh
-- token, issuing what it gives, and revoking a family are separate statements, so a
-- revocation can commit while an exchange or refresh of the same family is under way and
-- that one still inserts its new tokens. Every use of a token therefore also asks this
-- table: whatever a revoked family holds, or is given later, is refused. A row lasts as
-- long as the longest-lived token that could have been issued beside the revocation.
create table oauth2_revoked_families (
    family_id text primary key,
    expires_at bigint not null
);
create index oauth2_revoked_families_by_expiry on oauth2_revoked_families (expires_at);
