create or replace function app.mechanic_type(p_mechanic bigint) returns text
language sql stable security definer
set search_path = app, pg_temp
as $$
    select app.mechanic_type_of(m.workshop_id, m.account_type) from app.mechanics m where m.id = p_mechanic
$$;
comment on function app.mechanic_type(bigint) is
    'The mechanic''s type (SPEC §1): virtual_only, independent_workshop or workshop_affiliated; it decides where '
    'availability comes from and who is paid. Null for an unknown mechanic.';
grant execute on function app.mechanic_type(bigint) to autodoctor_app;
