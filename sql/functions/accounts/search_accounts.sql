create or replace function app.search_accounts(
    p_actor bigint,
    p_q text default null,
    p_role text default null,
    p_status text default null,
    p_workshop bigint default null,
    p_limit integer default 200
) returns table (
    id bigint, name text, email text, role text, status text, created_at timestamptz, deactivated_at timestamptz,
    mechanic_type text, workshops text, online boolean, matches integer
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    -- the words are matched literally: % and _ typed in the box are not wildcards
    v_pattern text := '%' || replace(replace(replace(btrim(p_q), '\', '\\'), '%', '\%'), '_', '\_') || '%';
begin
    perform app.require_role(p_actor, 'admin');
    if p_role is not null and p_role not in ('customer', 'mechanic', 'workshop_admin', 'admin') then
        raise exception using errcode = 'UV001', column = 'role', message = format('no role %L', p_role);
    end if;
    if p_status is not null and p_status not in ('active', 'invited', 'deactivated') then
        raise exception using errcode = 'UV001', column = 'status', message = format('no account status %L', p_status);
    end if;
    return query
        select a.id, a.name, a.email, a.role, a.status, a.created_at, a.deactivated_at, a.mechanic_type,
               (select string_agg(w.name, ', ' order by w.name) from app.workshops w
                where w.id = a.mechanic_workshop
                   or w.id in (select x.workshop_id from app.workshop_admins x where x.user_id = a.id)),
               a.online, (count(*) over ())::integer
        from (
            select u.id, u.name, u.email, u.role, u.created_at, u.deactivated_at,
                   case when u.deactivated_at is not null then 'deactivated'
                        when u.password_hash like '!%' then 'invited' else 'active' end as status,
                   case when m.id is not null then app.mechanic_type_of(m.workshop_id, m.account_type) end as mechanic_type,
                   m.workshop_id as mechanic_workshop, coalesce(m.currently_on_shift, false) as online
            from app.users u
            left join app.mechanics m on m.id = u.id
            where (nullif(btrim(p_q), '') is null or u.name ilike v_pattern or u.email ilike v_pattern)
              and (p_role is null or u.role = p_role)
              and (p_workshop is null or m.workshop_id = p_workshop
                   or exists (select 1 from app.workshop_admins x where x.user_id = u.id and x.workshop_id = p_workshop))
        ) a
        where p_status is null or a.status = p_status
        order by lower(a.name), a.id
        limit least(greatest(coalesce(p_limit, 200), 1), 500);
end
$$;
comment on function app.search_accounts(bigint, text, text, text, bigint, integer) is
    'The platform admin''s accounts list (SPEC §20): every role, by name then id, whose name or email contains '
    'p_q (literally, any case), optionally of one role, one status (active, invited: no password set yet, '
    'deactivated) or tied to one workshop (its mechanics and admins); with the mechanic type, workshops, '
    'whether online, and how many match in all (at most p_limit rows, 500 at most, are returned). Raises UP001 '
    '(not a platform admin), UV001 (unknown role or status).';
grant execute on function app.search_accounts(bigint, text, text, text, bigint, integer) to autodoctor_app;
