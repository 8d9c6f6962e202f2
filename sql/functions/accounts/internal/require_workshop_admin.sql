create or replace function app.require_workshop_admin(p_actor bigint, p_workshop_id bigint) returns void
language plpgsql stable
as $$
begin
    perform app.require_role(p_actor, 'workshop_admin');
    if not exists (select 1 from app.workshop_admins where workshop_id = p_workshop_id and user_id = p_actor) then
        raise exception using errcode = 'UN001',
            message = format('workshop %s is not run by user %s', p_workshop_id, p_actor);
    end if;
end
$$;
comment on function app.require_workshop_admin(bigint, bigint) is
    'Raises UP001 unless the acting user is a workshop admin, and UN001 unless they run that workshop (a '
    'missing workshop gets the same answer). Used by the workshop''s settings and visits; not callable by the app.';
