create or replace function app.admin_rematches(p_actor bigint)
returns table (session_id bigint, requested_at timestamptz, starts_at timestamptz, from_mechanic text,
               reason text, customer_name text, resolved_at timestamptz, outcome text, to_mechanic text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'admin');
    return query
        select r.session_id, r.requested_at, s.scheduled_for, fu.name, r.reason, cu.name, r.resolved_at, r.outcome,
               tu.name
        from app.session_rematches r
        join app.sessions s on s.id = r.session_id
        join app.users fu on fu.id = r.from_mechanic_id
        join app.users cu on cu.id = s.customer_id
        left join app.users tu on tu.id = r.to_mechanic_id
        where r.resolved_at is null or r.resolved_at > app.app_now() - interval '7 days'
        order by r.resolved_at is not null, r.requested_at desc;
end
$$;
comment on function app.admin_rematches(bigint) is
    'Sessions whose mechanic stepped out: those still being re-matched first, then those resolved in the last '
    '7 days with the outcome. Raises UP001.';
grant execute on function app.admin_rematches(bigint) to autodoctor_app;
