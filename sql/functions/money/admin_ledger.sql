create or replace function app.admin_ledger(
    p_actor bigint, p_ledger text, p_from date, p_to date, p_zone text,
    p_mechanic bigint default null, p_workshop bigint default null, p_status text default null,
    p_limit integer default 1000)
returns table (
    id bigint, at timestamptz, kind text, status text, amount_cents integer, customer_name text,
    mechanic_name text, workshop_name text, session_id bigint, detail text
)
language plpgsql stable security definer
set search_path = app, pg_temp
set plan_cache_mode = force_custom_plan  -- a plan for each range: the generic one was up to 9x slower
as $$
#variable_conflict use_column
declare
    r record;
    v_limit integer := least(greatest(coalesce(p_limit, 1000), 1), 10000);
begin
    perform app.require_role(p_actor, 'admin');
    if p_ledger is null or p_ledger not in ('payments', 'refunds', 'credit', 'payouts') then
        raise exception using errcode = 'UV075', column = 'ledger', message = format('no ledger %L', p_ledger);
    end if;
    select * into r from app.analytics_request(p_actor, p_from, p_to, p_zone, p_mechanic, p_workshop);
    -- each ledger newest first through its (created_at, id) index, stopping at the limit; the session's mechanic
    -- and workshop are looked up for the rows read (ledger_parties)
    if p_ledger = 'payments' then
        return query
            select p.id, p.created_at, p.kind, p.status, p.amount_cents, x.customer_name, x.mechanic_name,
                   x.workshop_name, p.session_id,
                   nullif(concat_ws(' · ', case when p.credit_cents > 0
                                                then format('$%s of credit', to_char(p.credit_cents / 100.0, 'FM999990.00')) end,
                                    p.intent_id, p.failure_message), '')
            from app.payments p
            cross join lateral app.ledger_parties(p.customer_id, p.session_id) x
            where p.created_at >= r.lo and p.created_at < r.hi and (p_status is null or p.status = p_status)
              and (p_mechanic is null or x.mechanic_id = p_mechanic) and (p_workshop is null or x.workshop_id = p_workshop)
            order by p.created_at desc, p.id desc
            limit v_limit;
    elsif p_ledger = 'refunds' then
        return query
            select f.id, f.created_at, f.reason, f.status, f.amount_cents, x.customer_name, x.mechanic_name,
                   x.workshop_name, f.session_id,
                   nullif(concat_ws(' · ', case when f.attempts > 0 then f.attempts || ' attempts' end,
                                    f.gateway_refund_id, f.failure_message), '')
            from app.refunds f
            cross join lateral app.ledger_parties((select p.customer_id from app.payments p where p.id = f.payment_id),
                                                  f.session_id) x
            where f.created_at >= r.lo and f.created_at < r.hi and (p_status is null or f.status = p_status)
              and (p_mechanic is null or x.mechanic_id = p_mechanic) and (p_workshop is null or x.workshop_id = p_workshop)
            order by f.created_at desc, f.id desc
            limit v_limit;
    elsif p_ledger = 'credit' then
        -- credit entries have no status: a status filter finds nothing
        return query
            select c.id, c.created_at, c.reason, null::text, c.amount_cents, x.customer_name, x.mechanic_name,
                   x.workshop_name, c.session_id, null::text
            from app.credit_entries c
            cross join lateral app.ledger_parties(c.customer_id, c.session_id) x
            where c.created_at >= r.lo and c.created_at < r.hi and p_status is null
              and (p_mechanic is null or x.mechanic_id = p_mechanic) and (p_workshop is null or x.workshop_id = p_workshop)
            order by c.created_at desc, c.id desc
            limit v_limit;
    else
        return query
            select y.id, y.created_at, y.payee, case when y.paid_out_at is null then 'due' else 'paid out' end,
                   y.amount_cents, x.customer_name, x.mechanic_name, x.workshop_name, y.session_id, y.reason
            from app.payouts y
            cross join lateral app.ledger_parties((select s.customer_id from app.sessions s where s.id = y.session_id),
                                                  y.session_id) x
            where y.created_at >= r.lo and y.created_at < r.hi
              and (p_status is null or p_status = case when y.paid_out_at is null then 'due' else 'paid out' end)
              and (p_mechanic is null or x.mechanic_id = p_mechanic) and (p_workshop is null or x.workshop_id = p_workshop)
            order by y.created_at desc, y.id desc
            limit v_limit;
    end if;
end
$$;
comment on function app.admin_ledger(bigint, text, date, date, text, bigint, bigint, text, integer) is
    'One of the money ledgers for the platform admin (SPEC §9, §20): payments, refunds, credit or payouts made '
    'on the local dates p_from..p_to of p_zone, newest first, each with its customer, the session''s mechanic and '
    'workshop, and what explains it; filtered by mechanic, workshop and status (payouts: due or paid out; credit '
    'has none, so any status finds nothing). At most p_limit rows (1 to 10,000; 1,000 by default). Raises UP001, '
    'UV075 (no such ledger), and analytics_request''s range checks.';
grant execute on function app.admin_ledger(bigint, text, date, date, text, bigint, bigint, text, integer) to autodoctor_app;
