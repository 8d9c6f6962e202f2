create or replace function app.trusted_caller() returns boolean
language sql stable
as $$
    -- the schema owner (jobs, the CLI, migrations) and the payments role (gateway events, reconciliation) act
    -- for whoever the rows name; the web role, and any other, only for the actor it bound
    select pg_has_role(session_user, 'autodoctor_owner', 'MEMBER') or session_user = 'autodoctor_payments'
$$;
comment on function app.trusted_caller() is
    'Whether the session''s login role may act for any user without a bound actor (see require_actor). Not '
    'callable by the app.';
