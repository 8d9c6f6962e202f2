create or replace function app.check_in_waiver(p_actor bigint, p_session bigint)
returns table (version integer, title text, body text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_service_type text;
begin
    perform app.require_role(p_actor, 'workshop_admin');
    select s.service_type into v_service_type
    from app.sessions s
    join app.workshop_admins a on a.workshop_id = s.workshop_id and a.user_id = p_actor
    where s.id = p_session;
    if not found then
        raise exception using errcode = 'UN001', message = format('session %s is not at a workshop of user %s', p_session, p_actor);
    end if;
    return query
        select v.version, v.title, v.body from app.waiver_versions v
        where v.version = app.current_waiver_version(v_service_type);
end
$$;
comment on function app.check_in_waiver(bigint, bigint) is
    'The waiver in force now for the visit''s service type (SPEC §12, §20: the in-person visit waiver), as the '
    'workshop''s check-in tablet shows it to the customer before they sign (sign_waiver records the signature '
    'under this version). Raises UP001 unless a workshop admin, UN001 for a visit not at their workshop.';
grant execute on function app.check_in_waiver(bigint, bigint) to autodoctor_app;
