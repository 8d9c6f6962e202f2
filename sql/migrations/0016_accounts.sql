-- The platform admin's account management (SPEC §1, §16, §20): deactivated accounts, and the single-use links
-- staff follow to set their password.

-- A deactivated account cannot log in (login_lookup), is taken offline, and a deactivated mechanic is in no
-- list, ranking, offer or free slot: rank_mechanics (matching, offers, Book Now, any mechanic, re-match) and
-- schedule_window (every slot, hold and booking) leave them out, and so do the directory (list_mechanics,
-- offline_mechanics, mechanic_profile, my_favorites) and the functions that name one mechanic (check_slot_query,
-- slot_availability, claim_slot, set_favorite: as unknown, UN002; accept_offer: no broadcast for them).
-- Reactivating clears it, and all of that comes back.
alter table app.users
    add column deactivated_at timestamptz,
    add column deactivated_by bigint,
    add constraint users_deactivated_by_fkey foreign key (deactivated_by) references app.users (id) on delete set null,
    add constraint users_deactivated_by_only_when_deactivated check (deactivated_at is not null or deactivated_by is null);

-- Links to set a password: only the SHA-256 of the token is kept. A link works once, until expires_at (48 h
-- after it was made); a newer link, a deactivation or the link's use closes the others, so a person has at
-- most one open link (password_tokens_one_open).
create table app.password_tokens (
    id bigint generated always as identity primary key,
    user_id bigint not null,
    token_hash bytea not null,
    created_by bigint,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz,
    voided_at timestamptz,
    constraint password_tokens_user_fkey foreign key (user_id) references app.users (id) on delete cascade,
    constraint password_tokens_created_by_fkey foreign key (created_by) references app.users (id) on delete set null,
    constraint password_tokens_hash_length check (length(token_hash) = 32),
    constraint password_tokens_hash_key unique (token_hash),
    constraint password_tokens_expiry check (expires_at > created_at),
    constraint password_tokens_closed_once check (used_at is null or voided_at is null)
);
create unique index password_tokens_one_open on app.password_tokens (user_id) where used_at is null and voided_at is null;

-- create_staff_account takes a mechanic's type, specialties, brands and experience, and may create an
-- account without a password (the person sets it through a link); login_lookup says whether the account is
-- deactivated. The function files create the new versions.
drop function if exists app.create_staff_account(text, text, text, text, text, bigint, text);
drop function if exists app.login_lookup(text, inet);
