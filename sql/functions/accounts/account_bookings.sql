create or replace function app.account_bookings(p_actor bigint, p_user bigint)
returns table (
    session_id bigint, kind text, status text, service_type text, starts_at timestamptz, created_at timestamptz,
    plan_name text, party text, customer_id bigint, customer_name text, mechanic_id bigint, mechanic_name text,
    workshop_name text
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'admin');
    return query
        select s.id, s.kind, s.status, s.service_type, s.scheduled_for, s.created_at, p.name,
               case when s.customer_id = p_user then 'customer' else 'mechanic' end,
               s.customer_id, cu.name, s.mechanic_id, mu.name, w.name
        from app.sessions s
        join app.plans p on p.code = s.plan_code
        join app.users cu on cu.id = s.customer_id
        left join app.users mu on mu.id = s.mechanic_id
        left join app.workshops w on w.id = s.workshop_id
        where (s.customer_id = p_user or s.mechanic_id = p_user)
          and s.status in ('requested', 'scheduled', 'pending')
        order by coalesce(s.scheduled_for, s.created_at), s.id;
end
$$;
comment on function app.account_bookings(bigint, bigint) is
    'The bookings still ahead (requested, scheduled, pending) of a person as customer or mechanic, soonest '
    'first, for the platform admin: what a deactivation leaves behind, to be cancelled as the admin '
    '(cancel_session: a provider cancellation with a full refund). Raises UP001 (not a platform admin).';
grant execute on function app.account_bookings(bigint, bigint) to autodoctor_app;
