create or replace function app.analytics_scope(p_actor bigint)
returns table (kind text, id bigint, name text, workshop_id bigint)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_role text;
begin
    perform app.require_role(p_actor, 'admin', 'workshop_admin', 'mechanic');
    select u.role into v_role from app.users u where u.id = p_actor;
    return query
        select 'workshop', w.id, w.name, w.id
        from app.workshops w
        where v_role = 'admin'
           or (v_role = 'workshop_admin' and exists (
                   select 1 from app.workshop_admins a where a.workshop_id = w.id and a.user_id = p_actor))
        union all
        select 'mechanic', m.id, u.name, m.workshop_id
        from app.mechanics m
        join app.users u on u.id = m.id
        where v_role = 'admin'
           or (v_role = 'mechanic' and m.id = p_actor)
           or (v_role = 'workshop_admin' and exists (
                   select 1 from app.workshop_admins a where a.workshop_id = m.workshop_id and a.user_id = p_actor))
        order by 1 desc, 3, 2;
end
$$;
comment on function app.analytics_scope(bigint) is
    'What an analytics page (SPEC §15) may filter by for the acting user: the workshops (kind workshop) and '
    'mechanics (kind mechanic, with their workshop) whose numbers they see, workshops first, each by name. A '
    'platform admin: every workshop and mechanic; a workshop admin: the workshops they run and their mechanics; '
    'a mechanic: themselves (no workshop: they see only their own numbers). The analytics_* functions answer '
    'UN001 for any other p_mechanic or p_workshop. Raises UP001 for customers.';
grant execute on function app.analytics_scope(bigint) to autodoctor_app;
