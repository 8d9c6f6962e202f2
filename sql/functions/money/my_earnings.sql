create or replace function app.my_earnings(p_actor bigint, p_limit integer default 100)
returns table (
    payout_id bigint, session_id bigint, session_kind text, service_type text, plan_name text,
    session_at timestamptz, customer_first_name text, reason text, payee text, workshop_name text,
    amount_cents integer, earned_at timestamptz, paid_out_at timestamptz, timezone text
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'mechanic');
    return query
        select y.id, s.id, s.kind, s.service_type, pl.name,
               coalesce(s.scheduled_for, s.started_at, s.created_at), split_part(btrim(u.name), ' ', 1),
               y.reason, y.payee, w.name, y.amount_cents, y.created_at, y.paid_out_at, m.timezone
        from app.payouts y
        join app.sessions s on s.id = y.session_id
        join app.plans pl on pl.code = s.plan_code
        join app.users u on u.id = s.customer_id
        join app.mechanics m on m.id = p_actor
        left join app.workshops w on w.id = y.workshop_id
        where y.mechanic_id = p_actor and y.payee in ('mechanic', 'workshop')
        order by y.created_at desc, y.id desc
        limit greatest(p_limit, 0);
end
$$;
comment on function app.my_earnings(bigint, integer) is
    'The payout ledger of the acting mechanic''s work, newest first (at most p_limit rows): per session the '
    'reason (completed, a late customer cancellation, a no-show), the amount and who is paid: the mechanic, '
    'or the workshop of a workshop-affiliated mechanic (SPEC §1). Raises UP001 for non-mechanics.';
grant execute on function app.my_earnings(bigint, integer) to autodoctor_app;
