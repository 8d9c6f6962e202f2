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
begin
    perform app.require_role(p_actor, 'admin');
    if p_ledger is null or p_ledger not in ('payments', 'refunds', 'credit', 'payouts') then
        raise exception using errcode = 'UV075', column = 'ledger', message = format('no ledger %L', p_ledger);
    end if;
    select * into r from app.analytics_request(p_actor, p_from, p_to, p_zone, p_mechanic, p_workshop);
    return query
        with rows as (
            select p.id, p.created_at as at, p.kind, p.status, p.amount_cents, p.customer_id, p.session_id,
                   concat_ws(' · ', case when p.credit_cents > 0 then format('$%s of credit', to_char(p.credit_cents / 100.0, 'FM999990.00')) end,
                             p.intent_id, p.failure_message) as detail
            from app.payments p
            where p_ledger = 'payments' and p.created_at >= r.lo and p.created_at < r.hi
            union all
            select f.id, f.created_at, f.reason, f.status, f.amount_cents, p.customer_id, f.session_id,
                   concat_ws(' · ', case when f.attempts > 0 then f.attempts || ' attempts' end, f.gateway_refund_id,
                             f.failure_message)
            from app.refunds f join app.payments p on p.id = f.payment_id
            where p_ledger = 'refunds' and f.created_at >= r.lo and f.created_at < r.hi
            union all
            select c.id, c.created_at, c.reason, null, c.amount_cents, c.customer_id, c.session_id, null
            from app.credit_entries c
            where p_ledger = 'credit' and c.created_at >= r.lo and c.created_at < r.hi
            union all
            select y.id, y.created_at, y.payee, case when y.paid_out_at is null then 'due' else 'paid out' end,
                   y.amount_cents, s.customer_id, y.session_id, y.reason
            from app.payouts y join app.sessions s on s.id = y.session_id
            where p_ledger = 'payouts' and y.created_at >= r.lo and y.created_at < r.hi
        )
        select x.id, x.at, x.kind, x.status, x.amount_cents, cu.name, mu.name, w.name, x.session_id, nullif(x.detail, '')
        from rows x
        join app.users cu on cu.id = x.customer_id
        left join app.sessions s on s.id = x.session_id
        left join app.users mu on mu.id = s.mechanic_id
        left join app.mechanics m on m.id = s.mechanic_id
        left join app.workshops w on w.id = coalesce(s.workshop_id, m.workshop_id)
        where (p_status is null or x.status = p_status)
          and (p_mechanic is null or s.mechanic_id = p_mechanic)
          and (p_workshop is null or coalesce(s.workshop_id, m.workshop_id) = p_workshop)
        order by x.at desc, x.id desc
        limit least(greatest(coalesce(p_limit, 1000), 1), 10000);
end
$$;
comment on function app.admin_ledger(bigint, text, date, date, text, bigint, bigint, text, integer) is
    'One of the money ledgers for the platform admin (SPEC §9, §20): payments, refunds, credit or payouts made '
    'on the local dates p_from..p_to of p_zone, newest first, each with its customer, the session''s mechanic and '
    'workshop, and what explains it; filtered by mechanic, workshop and status (payouts: due or paid out). At '
    'most 10,000 rows. Raises UP001, UV075 (no such ledger), and analytics_request''s range checks.';
grant execute on function app.admin_ledger(bigint, text, date, date, text, bigint, bigint, text, integer) to autodoctor_app;
