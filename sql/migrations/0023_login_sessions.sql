-- Passwords and log-in sessions live in the database, and the database knows who is acting (issue 16).
--
-- log_in checks the password here (pgcrypto's bcrypt) and hands back an opaque token, stored only as its
-- SHA-256; acting_user(token), the actor argument of every call the web role makes for a logged-in person,
-- binds that person as the transaction's actor with a value signed by a key only the owner can read, so the
-- web role cannot bind anyone it holds no token for (require_actor, bound_actor). pgcrypto itself is created
-- by migrate.prepare_cluster, beside btree_gist.

-- One row: the bcrypt cost of new hashes, and how long a log-in lasts idle and in all.
create table app.login_policy (
    only_row boolean primary key default true,
    bcrypt_cost integer not null,
    idle_lifetime interval not null,
    absolute_lifetime interval not null,
    constraint login_policy_one_row check (only_row),
    constraint login_policy_cost check (bcrypt_cost between 4 and 15),
    constraint login_policy_lifetimes check (idle_lifetime > interval '0' and absolute_lifetime >= idle_lifetime)
);
insert into app.login_policy (bcrypt_cost, idle_lifetime, absolute_lifetime)
values (10, interval '7 days', interval '30 days');

-- The key that signs an actor binding. Generated here, never leaves the database.
create table app.actor_signing_key (
    only_row boolean primary key default true,
    key bytea not null default public.gen_random_bytes(32),
    constraint actor_signing_key_one_row check (only_row)
);
insert into app.actor_signing_key default values;

create table app.login_sessions (
    id bigint generated always as identity primary key,
    user_id bigint not null,
    token_hash bytea not null,
    created_at timestamptz not null,
    last_seen_at timestamptz not null,
    expires_at timestamptz not null,
    ip inet,
    user_agent text,
    revoked_at timestamptz,
    revoked_by bigint,
    revoked_why text,
    constraint login_sessions_user_fkey foreign key (user_id) references app.users (id) on delete cascade,
    constraint login_sessions_revoker_fkey foreign key (revoked_by) references app.users (id),
    constraint login_sessions_token_hash_key unique (token_hash),
    constraint login_sessions_hash_length check (length(token_hash) = 32),
    constraint login_sessions_user_agent_length check (length(user_agent) <= 300),
    constraint login_sessions_expiry check (expires_at > created_at),
    constraint login_sessions_revocation check (
        (revoked_at is null and revoked_by is null and revoked_why is null)
        or (revoked_at is not null and revoked_why in
            ('logged_out', 'other_devices', 'revoked_by_owner', 'password_changed', 'revoked_by_admin')))
);
create index login_sessions_user_idx on app.login_sessions (user_id, created_at) where revoked_at is null;

-- Hashing moves into the database: these take the password itself now (the function files create them), and
-- nothing hands a hash to the app any more.
drop function if exists app.login_lookup(text, inet);
drop function if exists app.record_login_attempt(text, inet, boolean);
drop function if exists app.current_account(bigint);
drop function if exists app.sign_up_customer(text, text, text, text, text, text, text, text, text);
drop function if exists app.create_staff_account(text, text, text, text, text, bigint, text, text, text[], text[], integer);
drop function if exists app.set_password_with_token(text, text);
-- the admin's money audit names its actor, as every function that acts for a person
drop function if exists app.money_audit();
