create or replace function app.create_staff_account(
    p_role text,
    p_email text,
    p_password text,
    p_name text,
    p_timezone text,
    p_workshop_id bigint default null,
    p_partnership_type text default null,
    p_mechanic_type text default null,
    p_specialties text[] default '{}',
    p_brands text[] default '{}',
    p_years_experience integer default 0
) returns bigint
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_user_id bigint;
    v_partnership text := p_partnership_type;
    v_tags record;
    v_created text;
    v_problems text[] := '{}'::text[];
begin
    if p_role is null or p_role not in ('mechanic', 'workshop_admin', 'admin') then
        raise exception using errcode = 'UV001', column = 'role',
            message = format('staff accounts are mechanic, workshop_admin or admin, not %s', p_role);
    end if;
    if p_role = 'workshop_admin' and p_workshop_id is null then
        raise exception using errcode = 'UV001', column = 'workshop_id', message = 'a workshop admin needs a workshop';
    end if;
    if p_workshop_id is not null and not exists (select 1 from app.workshops w where w.id = p_workshop_id) then
        raise exception using errcode = 'UN001', column = 'workshop_id', message = format('no workshop %s', p_workshop_id);
    end if;

    if p_role = 'mechanic' then
        -- SPEC §1: the type decides the tie to a workshop; without a type (the CLI) the tie is taken as given
        if p_mechanic_type is not null and p_mechanic_type not in ('virtual_only', 'independent_workshop', 'workshop_affiliated') then
            v_problems := v_problems || 'UV080:mechanic_type'::text;
        elsif p_mechanic_type = 'virtual_only' and p_workshop_id is not null then
            v_problems := v_problems || 'UV082:workshop_id'::text;
        elsif p_mechanic_type in ('independent_workshop', 'workshop_affiliated') and p_workshop_id is null then
            v_problems := v_problems || 'UV081:workshop_id'::text;
        elsif p_mechanic_type = 'workshop_affiliated' and p_partnership_type is distinct from 'employee'
              and p_partnership_type is distinct from 'contractor' then
            v_problems := v_problems || 'UV083:partnership_type'::text;
        end if;
        v_partnership := case p_mechanic_type
            when 'virtual_only' then 'none'
            when 'independent_workshop' then 'owner'
            when 'workshop_affiliated' then p_partnership_type
            else coalesce(p_partnership_type, case when p_workshop_id is null then 'none' else 'employee' end)
        end;
        for v_tags in select * from (values ('specialties', coalesce(p_specialties, '{}')), ('brands', coalesce(p_brands, '{}'))) t(field, tags) loop
            if cardinality(v_tags.tags) > 20
               or exists (select 1 from unnest(v_tags.tags) t where t is null or length(btrim(t)) not between 1 and 40) then
                v_problems := v_problems || ('UV084:' || v_tags.field);
            end if;
        end loop;
    end if;
    -- every refused field of the form at once (refuse_fields), judged by the tables' own constraints
    v_problems := v_problems || app.failed_checks('app.users', jsonb_build_object('email', btrim(p_email), 'name', btrim(p_name)));
    if exists (select 1 from app.users u where lower(u.email) = lower(btrim(p_email))) then
        v_problems := v_problems || 'UC080:email'::text;
    end if;
    if not exists (select 1 from app.time_zones z where z.name = p_timezone) then
        v_problems := v_problems || 'users_timezone_fkey'::text;
    end if;
    if p_role = 'mechanic' then
        v_problems := v_problems || app.failed_checks('app.mechanics', jsonb_build_object('years_experience', p_years_experience));
    end if;
    perform app.refuse_fields(v_problems);

    begin
        -- without a password, a hash nobody can match (log_in treats "!" as no password) until the person sets
        -- one through a link (issue_password_token)
        v_user_id := app.create_user(p_email, coalesce(app.hash_password(p_password), '!' || replace(gen_random_uuid()::text, '-', '')),
                                     p_role, p_name, p_timezone);
    exception when unique_violation then
        raise exception using errcode = 'UC080', column = 'email', message = format('an account with email %L exists', btrim(p_email));
    end;

    if p_role = 'mechanic' then
        -- a workshop's mechanic is where the workshop is, for matching by city and postal area (SPEC §8)
        insert into app.mechanics (id, workshop_id, account_type, partnership_type, timezone, specialties, brands,
                                   years_experience, city, province, postal_code, created_at)
        select v_user_id, p_workshop_id,
               case when v_partnership in ('none', 'owner') then 'individual_mechanic' else 'workshop_mechanic' end,
               v_partnership, p_timezone,
               array(select btrim(t) from unnest(coalesce(p_specialties, '{}')) t),
               array(select btrim(t) from unnest(coalesce(p_brands, '{}')) t),
               coalesce(p_years_experience, 0), w.city, w.province, w.postal_code, app.app_now()
        from (select 1) one
        left join app.workshops w on w.id = p_workshop_id
        returning app.mechanic_type_of(workshop_id, account_type) into v_created;
        if v_created is distinct from coalesce(p_mechanic_type, v_created) then
            raise exception 'mechanic % would be % instead of %', v_user_id, v_created, p_mechanic_type;
        end if;
        insert into app.mechanic_settings (mechanic_id) values (v_user_id);
    elsif p_role = 'workshop_admin' then
        insert into app.workshop_admins (workshop_id, user_id) values (p_workshop_id, v_user_id);
    end if;
    return v_user_id;
end
$$;
comment on function app.create_staff_account(text, text, text, text, text, bigint, text, text, text[], text[], integer) is
    'Creates a mechanic (with default settings), workshop admin or admin account; returns the user id. The one '
    'creator of staff: the CLI and the demo loader call it with a password (hashed here), invite_staff_account (the '
    'platform admin''s page) without one, which leaves a password nobody can match until the person sets theirs '
    'through a link. A mechanic''s p_mechanic_type (SPEC §1) sets the tie to the workshop: virtual_only (none), '
    'independent_workshop (owner, account type individual), workshop_affiliated (p_partnership_type employee or '
    'contractor); the created type is checked with mechanic_type_of. A workshop''s mechanic takes its city and '
    'postal code. The app role may not call it. Raises UV001 (role, or a workshop admin without a workshop), '
    'UN001 (no such workshop), then every refused field at once (refuse_fields: UV000 listing them when several): '
    'UV080 (type), UV081 (this type needs a workshop), UV082 (virtual-only with a workshop), UV083 (employee or '
    'contractor), UV084 (over 20 specialties or brands, or one over 40 characters), UC080 (email taken), and '
    'the constraints users_email_format, users_name_present, users_timezone_fkey, mechanics_years_experience_range.';
