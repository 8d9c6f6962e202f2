create or replace function app.create_staff_account(
    p_role text,
    p_email text,
    p_password_hash text,
    p_name text,
    p_timezone text,
    p_workshop_id bigint default null,
    p_partnership_type text default null
) returns bigint
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_user_id bigint;
begin
    if p_role not in ('mechanic', 'workshop_admin', 'admin') then
        raise exception using errcode = 'UV001', column = 'role',
            message = format('staff accounts are mechanic, workshop_admin or admin, not %s', p_role);
    end if;
    if p_role = 'workshop_admin' and p_workshop_id is null then
        raise exception using errcode = 'UV001', column = 'workshop_id', message = 'a workshop admin needs a workshop';
    end if;
    insert into app.users (email, password_hash, role, name, timezone)
    values (btrim(p_email), p_password_hash, p_role, btrim(p_name), p_timezone)
    returning id into v_user_id;

    if p_role = 'mechanic' then
        insert into app.mechanics (id, workshop_id, account_type, partnership_type, timezone)
        values (v_user_id, p_workshop_id,
                case when coalesce(p_partnership_type, case when p_workshop_id is null then 'none' else 'employee' end)
                          in ('none', 'owner') then 'individual_mechanic'
                     else 'workshop_mechanic' end,
                coalesce(p_partnership_type, case when p_workshop_id is null then 'none' else 'employee' end),
                p_timezone);
        insert into app.mechanic_settings (mechanic_id) values (v_user_id);
    elsif p_role = 'workshop_admin' then
        insert into app.workshop_admins (workshop_id, user_id) values (p_workshop_id, v_user_id);
    end if;
    return v_user_id;
end
$$;
comment on function app.create_staff_account(text, text, text, text, text, bigint, text) is
    'Creates a mechanic (with default settings), workshop admin or admin account; returns the user id. '
    'For the CLI and the demo loader (owner connection); the app role may not call it. Raises UV001 for a '
    'customer role or a workshop admin without a workshop; constraints refuse the rest.';
