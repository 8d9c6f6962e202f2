create or replace function app.check_in_waiver(p_actor bigint)
returns table (version integer, title text, body text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'workshop_admin');
    return query
        select v.version, v.title, v.body from app.waiver_versions v where v.version = app.current_waiver_version();
end
$$;
comment on function app.check_in_waiver(bigint) is
    'The waiver version in force now, as the workshop''s check-in tablet shows it to the customer before they sign '
    '(SPEC §12; sign_waiver records the signature under this version). Raises UP001 unless a workshop admin.';
grant execute on function app.check_in_waiver(bigint) to autodoctor_app;
