create or replace function app.invite_staff_account(
    p_actor bigint,
    p_role text,
    p_email text,
    p_name text,
    p_timezone text,
    p_workshop_id bigint default null,
    p_mechanic_type text default null,
    p_partnership_type text default null,
    p_specialties text[] default '{}',
    p_brands text[] default '{}',
    p_years_experience integer default 0
) returns bigint
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_user bigint;
begin
    perform app.require_role(p_actor, 'admin');
    if p_role = 'mechanic' and p_mechanic_type is null then
        raise exception using errcode = 'UV080', column = 'mechanic_type', message = 'a mechanic needs a type';
    end if;
    v_user := app.create_staff_account(
        p_role => p_role, p_email => p_email, p_password => null, p_name => p_name, p_timezone => p_timezone,
        p_workshop_id => p_workshop_id, p_partnership_type => p_partnership_type, p_mechanic_type => p_mechanic_type,
        p_specialties => p_specialties, p_brands => p_brands, p_years_experience => p_years_experience);
    perform app.issue_password_token(p_actor, v_user);
    return v_user;
end
$$;
comment on function app.invite_staff_account(bigint, text, text, text, text, bigint, text, text, text[], text[], integer) is
    'The platform admin creates a mechanic (of the type given: virtual_only, independent_workshop or '
    'workshop_affiliated), a workshop admin or a platform admin (SPEC §1, §16) through create_staff_account, '
    'without a password, and emails them a link to set one (issue_password_token). Returns the user id. Raises '
    'UP001 (not a platform admin), UV080 (a mechanic without a type), and as create_staff_account.';
grant execute on function app.invite_staff_account(bigint, text, text, text, text, bigint, text, text, text[], text[], integer) to autodoctor_app;
