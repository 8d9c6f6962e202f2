create or replace function app.admin_payouts_due(p_actor bigint, p_from date, p_to date, p_zone text)
returns table (payee text, payee_id bigint, payee_name text, stripe_account_id text, sessions bigint,
               amount_cents bigint)
language plpgsql stable security definer
set search_path = app, pg_temp
set plan_cache_mode = force_custom_plan  -- a plan for each range: the generic one was slower
as $$
#variable_conflict use_column
declare
    r record;
begin
    perform app.require_role(p_actor, 'admin');
    select * into r from app.analytics_request(p_actor, p_from, p_to, p_zone, null, null);
    return query
        select y.payee, coalesce(y.mechanic_id, y.workshop_id), coalesce(w.name, u.name, 'Auto Doctor'),
               coalesce(w.stripe_account_id, m.stripe_account_id), count(distinct y.session_id), sum(y.amount_cents)
        from app.payouts y
        left join app.workshops w on y.payee = 'workshop' and w.id = y.workshop_id
        left join app.mechanics m on y.payee = 'mechanic' and m.id = y.mechanic_id
        left join app.users u on u.id = m.id
        where y.paid_out_at is null and y.created_at >= r.lo and y.created_at < r.hi
        group by 1, 2, 3, 4
        order by (y.payee = 'platform'), 6 desc, 3;
end
$$;
comment on function app.admin_payouts_due(bigint, date, date, text) is
    'What is owed and not yet paid out, per payee (each mechanic, each workshop, and the platform''s own share '
    'last), for shares earned on the local dates p_from..p_to of p_zone, with the payee''s Stripe account. '
    'Raises UP001 and analytics_request''s range checks.';
grant execute on function app.admin_payouts_due(bigint, date, date, text) to autodoctor_app;
