create or replace function app.my_appointments(p_actor bigint, p_session bigint default null)
returns table (
    id bigint, kind text, service_type text, status text, plan_code text, plan_name text, duration_minutes integer,
    starts_at timestamptz, ends_at timestamptz, created_at timestamptz, upcoming boolean,
    mechanic_id bigint, mechanic_name text, workshop_name text, workshop_address text,
    vehicle text, advice_only boolean, concern_category text, concern text,
    paid_cents integer, refunded_cents integer, refund_pending_cents integer, refund_failed_cents integer,
    credited_cents integer, calendar_sequence integer,
    waiver_on_file boolean, can_cancel boolean, can_reschedule boolean, can_sign_waiver boolean, can_join boolean,
    summary text, reschedule_cutoff_words text, waiver_lead_words text, join_lead_words text
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_now timestamptz := app.app_now();
    v_waiver boolean;
begin
    perform app.require_role(p_actor, 'customer');
    v_waiver := app.waiver_on_file(p_actor, v_now);
    return query
        with s as (
            select r.*, coalesce(r.scheduled_for, r.created_at) as starts,
                   coalesce(r.scheduled_for, r.started_at, r.created_at) + make_interval(mins => r.duration_minutes) as ends
            from app.session_rows() r
            where r.customer_id = p_actor and (p_session is null or r.id = p_session)
        )
        select s.id, s.kind, s.service_type, s.status, s.plan_code, s.plan_name, s.duration_minutes, s.starts, s.ends,
               s.created_at, s.status in ('requested', 'scheduled', 'pending', 'live'),
               s.mechanic_id, s.mechanic_name, s.workshop_name, s.workshop_address, s.vehicle, s.advice_only,
               s.concern_category, s.concern,
               m.paid_cents, m.refunded_cents, m.refund_pending_cents, m.refund_failed_cents, m.credited_cents,
               s.calendar_sequence, v_waiver,
               s.status in ('requested', 'scheduled', 'pending'),
               s.kind = 'scheduled' and s.status in ('requested', 'scheduled')
                   and v_now <= s.starts - make_interval(mins => app.reschedule_cutoff_minutes()),
               s.kind = 'scheduled' and s.service_type = 'online' and s.status in ('scheduled', 'pending') and not v_waiver
                   and v_now >= s.starts - make_interval(mins => app.waiver_lead_minutes()) and v_now < s.ends,
               s.service_type = 'online' and (
                   (s.kind = 'immediate' and s.status in ('pending', 'live'))
                   or (s.kind = 'scheduled' and s.status in ('scheduled', 'pending', 'live') and v_waiver
                       and v_now >= s.starts - make_interval(mins => app.join_lead_minutes()) and v_now < s.ends)),
               s.summary, app.duration_words(app.reschedule_cutoff_minutes()), app.duration_words(app.waiver_lead_minutes()),
               app.duration_words(app.join_lead_minutes())
        from s
        cross join lateral app.session_money(s.id) m
        order by s.status in ('requested', 'scheduled', 'pending', 'live') desc,
                 case when s.status in ('requested', 'scheduled', 'pending', 'live') then s.starts end,
                 s.starts desc;
    if p_session is not null and not found then
        raise exception using errcode = 'UN001', message = format('session %s is not one of user %s', p_session, p_actor);
    end if;
end
$$;
comment on function app.my_appointments(bigint, bigint) is
    'The acting customer''s sessions (or the one asked for), upcoming first then past (SPEC §3.3): status, '
    'mechanic, workshop, times, the mechanic''s summary, what was paid, refunded (sent, on its way, refused) and credited, and what may be done now: cancel, '
    'reschedule (until 2 h before), sign the waiver (from 1 h before), join (from 15 min before, with a '
    'waiver on file), with those lead times in words for the page (reschedule_cutoff_minutes, waiver_lead_minutes, '
    'join_lead_minutes). Raises UP001, and UN001 when the session asked for is not theirs.';
grant execute on function app.my_appointments(bigint, bigint) to autodoctor_app;
