create or replace function app.my_payments_being_confirmed(p_actor bigint)
returns table (payment_id bigint, outcome text, status text, amount_cents integer, plan_name text, service_type text,
               starts_at timestamptz, mechanic_name text, paid_at timestamptz, failure_message text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_now timestamptz := app.app_now();
begin
    perform app.require_role(p_actor, 'customer');
    return query
        select p.id,
               case when p.status in ('pending', 'processing') then 'confirming'
                    when p.status = 'failed' then 'not_charged' else 'given_back' end,
               p.status, p.amount_cents, pl.name, p.booking->>'service_type', h.starts_at, u.name, p.created_at,
               p.failure_message
        from app.payments p
        join app.plans pl on pl.code = p.plan_code
        left join app.slot_reservations h on h.id = p.reservation_id
        left join app.users u on u.id = h.mechanic_id
        where p.customer_id = p_actor and p.kind <> 'balance' and p.session_id is null and p.amount_cents > 0
          and (p.status in ('pending', 'processing')
               -- decided later than the request that made it (by reconciliation or a late webhook): the customer
               -- was told we were confirming it, and is told the outcome for a week
               or (coalesce(p.succeeded_at, p.failed_at) > p.created_at + interval '1 minute'
                   and coalesce(p.succeeded_at, p.failed_at) > v_now - interval '7 days'))
        order by p.created_at desc;
end
$$;
comment on function app.my_payments_being_confirmed(bigint) is
    'The acting customer''s booking payments whose outcome the request that made them did not learn (the gateway '
    'or the database went away, or the card network was still deciding): ''confirming'' while undecided (the time '
    'stays held: hold_payment_in_doubt); then for a week ''not_charged'' (failed) or ''given_back'' (charged, but the '
    'time was lost: refunded in full). A payment that booked its session shows as that appointment instead. '
    'Raises UP001.';
grant execute on function app.my_payments_being_confirmed(bigint) to autodoctor_app;
