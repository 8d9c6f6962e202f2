create or replace function app.admin_overview(p_actor bigint)
returns table (customers bigint, mechanics bigint, mechanics_online bigint, workshops bigint, vehicles bigint,
               by_type jsonb)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'admin');
    return query
        select (select count(*) from app.customers),
               (select count(*) from app.mechanics),
               (select count(*) from app.mechanics where currently_on_shift),
               (select count(*) from app.workshops),
               (select count(*) from app.vehicles),
               coalesce((select jsonb_object_agg(t.kind, t.n) from (
                   select app.mechanic_type_of(workshop_id, account_type) as kind, count(*) as n
                   from app.mechanics group by 1) t), '{}');
end
$$;
comment on function app.admin_overview(bigint) is 'Platform counts for admins. Raises UP001 for other roles.';
grant execute on function app.admin_overview(bigint) to autodoctor_app;
