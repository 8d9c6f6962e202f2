create or replace function app.money_audit(p_actor bigint default null)
returns table (session_id bigint, payment_id bigint, charged_cents bigint, refunded_cents bigint,
               credited_cents bigint, payee_cents bigint, platform_cents bigint)
language sql stable security definer
set search_path = app, pg_temp
as $$
    -- the platform admin's dashboard shows it; jobs and tests (the owner) read it too
    select app.require_role(p_actor, 'admin') where not app.trusted_caller();
    -- sessions whose story is over: charged = refunded + credited + payee share + platform share
    with ended as (
        select s.id from app.sessions s
        where s.status in ('cancelled', 'expired', 'no_show')
           or (s.status = 'completed' and (s.service_type = 'online' or exists (
                select 1 from app.payments p where p.session_id = s.id and p.kind = 'balance' and p.status = 'succeeded')))
    ), per_session as (
        select e.id,
            (select coalesce(sum(p.amount_cents + p.credit_cents), 0) from app.payments p
             where p.session_id = e.id and p.status = 'succeeded') as charged,
            (select coalesce(sum(r.amount_cents), 0) from app.refunds r where r.session_id = e.id and r.status <> 'failed') as refunded,
            (select coalesce(sum(c.amount_cents), 0) from app.credit_entries c where c.session_id = e.id and c.amount_cents > 0) as credited,
            (select coalesce(sum(y.amount_cents), 0) from app.payouts y where y.session_id = e.id and y.payee <> 'platform') as payee,
            (select coalesce(sum(y.amount_cents), 0) from app.payouts y where y.session_id = e.id and y.payee = 'platform') as platform
        from ended e
    ), unbooked as (
        -- payments that bought nothing (failed, or the time was lost): everything back, card and credit
        select p.id,
            case when p.status = 'succeeded' then p.amount_cents + p.credit_cents else p.credit_cents end as charged,
            (select coalesce(sum(r.amount_cents), 0) from app.refunds r where r.payment_id = p.id and r.status <> 'failed') as refunded,
            (select coalesce(sum(c.amount_cents), 0) from app.credit_entries c where c.payment_id = p.id and c.amount_cents > 0) as credited
        from app.payments p
        where p.session_id is null and (p.status = 'failed' or (p.status = 'succeeded' and p.kind <> 'balance'))
    )
    select id, null::bigint, charged, refunded, credited, payee, platform from per_session
    where charged <> refunded + credited + payee + platform
    union all
    select null, id, charged, refunded, credited, 0, 0 from unbooked
    where charged <> refunded + credited
$$;
comment on function app.money_audit(bigint) is
    'Every ended session whose money does not add up (charged = refunded + credited + payee share + platform '
    'share), and every payment that bought nothing and was not wholly given back. Always empty. For the web role, only for the platform admin bound as p_actor (UA001, UP001).';
grant execute on function app.money_audit(bigint) to autodoctor_app;
