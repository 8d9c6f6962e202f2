create or replace function app.session_snapshot(p_session bigint) returns jsonb
language plpgsql stable
as $$
begin
    -- PL/pgSQL keeps the plan for the connection: as plain SQL it was planned at every message (2.5 ms each)
    return (select jsonb_build_object(
               'session_kind', s.kind, 'service_type', s.service_type, 'session_status', s.status,
               'starts_at', s.scheduled_for, 'ends_at', s.scheduled_for + make_interval(mins => s.duration_minutes),
               'duration_minutes', s.duration_minutes, 'calendar_sequence', s.calendar_sequence,
               'session_created_at', s.created_at, 'concern', s.concern, 'cancel_reason', s.cancel_reason,
               'summary', s.summary, 'plan_name', p.name, 'price_cents', p.price_cents, 'customer_id', s.customer_id, 'customer_name', cu.name,
               'mechanic_name', mu.name, 'workshop_name', w.name,
               'workshop_address', concat_ws(', ', w.street, w.city, w.province || ' ' || w.postal_code),
               -- a reminder does not ask for a waiver that will be on file at the start (a visit's is signed at check-in)
               'waiver_signed', s.service_type = 'online'
                               and app.waiver_on_file(s.customer_id, coalesce(s.scheduled_for, app.app_now())))
           || to_jsonb(m)
    from app.sessions s
    join app.plans p on p.code = s.plan_code
    join app.users cu on cu.id = s.customer_id
    left join app.users mu on mu.id = s.mechanic_id
    left join app.workshops w on w.id = s.workshop_id
    cross join lateral app.session_money(s.id) m
    where s.id = p_session);
end
$$;
comment on function app.session_snapshot(bigint) is
    'What a message about a session says (issue 17): its kind, status, times, plan, people, workshop, the '
    'invite''s sequence, whether the customer''s waiver is on file for it, and its money (session_money), as one '
    'JSON object. Taken when the message''s '
    'transaction commits (tg_outbox__snapshot) and rendered as it was, whatever happens to the session after.';
