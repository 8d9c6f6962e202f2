create or replace function app.account_detail(p_actor bigint, p_user bigint)
returns table (
    id bigint, name text, email text, phone text, role text, timezone text, created_at timestamptz, status text,
    deactivated_at timestamptz, deactivated_by text, password_set boolean, link_sent_at timestamptz,
    link_expires_at timestamptz, mechanic_type text, partnership text, specialties text[], brands text[],
    years_experience smallint, online boolean, last_seen_at timestamptz, workshops jsonb, is_self boolean
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'admin');
    return query
        select u.id, u.name, u.email, u.phone, u.role, u.timezone, u.created_at,
               case when u.deactivated_at is not null then 'deactivated'
                    when u.password_hash like '!%' then 'invited' else 'active' end,
               u.deactivated_at, d.name, u.password_hash not like '!%', t.created_at, t.expires_at,
               case when m.id is not null then app.mechanic_type_of(m.workshop_id, m.account_type) end,
               m.partnership_type, m.specialties, m.brands, m.years_experience, m.currently_on_shift, m.last_seen_at,
               coalesce((select jsonb_agg(jsonb_build_object('id', w.id, 'name', w.name) order by w.name)
                         from app.workshops w
                         where w.id = m.workshop_id
                            or w.id in (select x.workshop_id from app.workshop_admins x where x.user_id = u.id)), '[]'),
               u.id = p_actor
        from app.users u
        left join app.users d on d.id = u.deactivated_by
        left join app.mechanics m on m.id = u.id
        left join app.password_tokens t on t.user_id = u.id and t.used_at is null and t.voided_at is null
        where u.id = p_user;
    if not found then
        raise exception using errcode = 'UN001', message = format('no account %s', p_user);
    end if;
end
$$;
comment on function app.account_detail(bigint, bigint) is
    'One account as the platform admin sees it: role, status (active, invited, deactivated: when and by whom), '
    'whether a password is set and the open link to set one (sent, expires), the mechanic''s type, tie, '
    'specialties, brands, experience and whether online, the workshops they work at or run, and whether it is '
    'the admin''s own. Raises UP001 (not a platform admin), UN001 (no such account).';
grant execute on function app.account_detail(bigint, bigint) to autodoctor_app;
