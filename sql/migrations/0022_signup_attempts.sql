-- Sign-up attempts by address (issue 16): the sign-up page says whether an email already has an account, so it
-- is rate-limited per address like log-in (note_signup_attempt).
create table app.signup_attempts (
    id bigint generated always as identity primary key,
    ip inet not null,
    attempted_at timestamptz not null
);
create index signup_attempts_ip_idx on app.signup_attempts (ip, attempted_at);
