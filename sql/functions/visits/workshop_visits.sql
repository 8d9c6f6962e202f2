create or replace function app.workshop_visits(p_actor bigint, p_workshop bigint, p_session bigint default null)
returns table (
    id bigint, workshop_id bigint, workshop_name text, timezone text, status text, queue text, day_group text,
    starts_at timestamptz, ends_at timestamptz, plan_code text, plan_name text, duration_minutes integer,
    price_cents integer, customer_name text, customer_phone text, vehicle text, advice_only boolean,
    concern_category text, concern text, preparation_notes text, special_requests text,
    mechanic_id bigint, mechanic_name text, checked_in boolean, checked_in_at timestamptz,
    deposit_cents integer, balance_cents integer, balance_status text, balance_failure text, refunded_cents integer,
    refund_pending_cents integer,
    cancel_reason text, counter_offer_id bigint, counter_offer_start timestamptz, counter_offer_note text,
    can_confirm boolean, can_decline boolean, can_counter_offer boolean, can_assign boolean, can_check_in boolean,
    check_in_from timestamptz, can_complete boolean, can_charge_balance boolean, can_cancel boolean,
    check_in_lead_words text
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_now timestamptz := app.app_now();
begin
    if p_workshop is null then
        perform app.require_role(p_actor, 'workshop_admin');
    else
        perform app.require_workshop_admin(p_actor, p_workshop);
    end if;
    return query
        with s as (
            select s.*, s.workshop_timezone as zone,
                   s.scheduled_for + make_interval(mins => s.duration_minutes) as ends,
                   (s.scheduled_for at time zone s.workshop_timezone)::date - (v_now at time zone s.workshop_timezone)::date as days_ahead,
                   (select sum(p.amount_cents + p.credit_cents) from app.payments p
                    where p.session_id = s.id and p.kind = 'deposit' and p.status = 'succeeded')::integer as deposit,
                   (select p from app.payments p where p.session_id = s.id and p.kind = 'balance'
                    order by p.id desc limit 1) as balance,
                   (select min(g.signed_at) from app.waiver_signatures g
                    where g.session_id = s.id and g.mode = 'in_person') as checked_in_at,
                   (select o from app.visit_counter_offers o where o.session_id = s.id and o.status = 'pending') as offer
            from app.session_rows() s
            join app.workshop_admins a on a.workshop_id = s.workshop_id and a.user_id = p_actor
            where s.service_type = 'in_person' and (p_workshop is null or s.workshop_id = p_workshop)
              and (s.id = p_session or (p_session is null and (
                   s.status in ('requested', 'scheduled', 'pending', 'live')
                   -- completed: until the balance is paid, then for two weeks; the others for a week
                   or (s.status = 'completed' and (coalesce(s.ended_at, s.scheduled_for) > v_now - interval '14 days'
                       or not exists (select 1 from app.payments p where p.session_id = s.id and p.kind = 'balance'
                                      and p.status = 'succeeded')))
                   or coalesce(s.cancelled_at, s.expired_at, s.no_show_at) > v_now - interval '7 days')))
        ), v as (
            select s.*,
                   case when s.status <> 'completed' then 'not_due'
                        when (s.balance).status = 'succeeded' then 'paid'
                        when (s.balance).status in ('pending', 'processing') then 'processing'
                        when (s.balance).status = 'failed' then 'failed'
                        else 'due' end as balance_state
            from s
        )
        select v.id, v.workshop_id, v.workshop_name, v.zone, v.status,
               case when v.status = 'requested' then 'request'
                    when v.status in ('scheduled', 'pending', 'live') then case when v.days_ahead <= 0 then 'today' else 'upcoming' end
                    when v.status = 'completed' and v.balance_state <> 'paid' then 'balance'
                    else 'done' end,
               case when v.days_ahead < 0 then 'earlier' when v.days_ahead = 0 then 'today'
                    when v.days_ahead = 1 then 'tomorrow' else 'later' end,
               v.scheduled_for, v.ends, v.plan_code, v.plan_name, v.duration_minutes, v.price_cents,
               v.customer_name, v.customer_phone, v.vehicle, v.advice_only, v.concern_category, v.concern,
               v.preparation_notes, v.special_requests,
               v.mechanic_id, v.mechanic_name, v.checked_in_at is not null, v.checked_in_at,
               coalesce(v.deposit, 0), v.price_cents - coalesce(v.deposit, 0), v.balance_state,
               case when v.balance_state = 'failed' then coalesce((v.balance).failure_message, 'The card was declined.') end,
               m.refunded_cents, m.refund_pending_cents,
               v.cancel_reason, (v.offer).id, (v.offer).proposed_start, (v.offer).note,
               v.status = 'requested',
               v.status = 'requested',
               v.status in ('requested', 'scheduled') and v_now < v.ends,
               v.status in ('requested', 'scheduled', 'pending'),
               v.status = 'scheduled' and v_now >= v.scheduled_for - make_interval(mins => app.waiver_lead_minutes())
                   and v_now < v.ends,
               v.scheduled_for - make_interval(mins => app.waiver_lead_minutes()),
               v.status in ('pending', 'live') and v_now >= app.session_completes_from(v.service_type, v.scheduled_for),
               v.balance_state in ('due', 'failed'),
               v.status in ('scheduled', 'pending'),
               app.duration_words(app.waiver_lead_minutes())
        from v
        cross join lateral app.session_money(v.id) m
        order by v.scheduled_for, v.id;
    if p_session is not null and not found then
        raise exception using errcode = 'UN001', message = format('no visit %s at a workshop of user %s', p_session, p_actor);
    end if;
end
$$;
comment on function app.workshop_visits(bigint, bigint, bigint) is
    'The in-person visits of a workshop the acting admin runs (SPEC §11; p_workshop null: of all their '
    'workshops), in start order: requests, visits still to run, completed ones until their balance is paid '
    '(then two weeks), and those cancelled, expired or missed in the last week; or, with p_session, that one visit '
    'in any status. Each has its queue (request, today, upcoming, balance, done), its day in the workshop''s '
    'zone (earlier, today, tomorrow, later), the customer''s name and phone, vehicle, concern, plan and price, '
    'mechanic, check-in, deposit and balance (not_due, due, processing, failed with the card''s answer, paid), refunds sent and on their way, '
    'the open counter-offer, and what may be done now: confirm, decline, counter-offer, assign, check in (from '
    '1 h before until the end: waiver_lead_minutes, also in words), complete (checked in, from the start), charge the balance, cancel. Raises UP001 for other '
    'roles, UN001 for a workshop the admin does not run or a visit not at their workshop.';
grant execute on function app.workshop_visits(bigint, bigint, bigint) to autodoctor_app;
