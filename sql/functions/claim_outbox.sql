create or replace function app.claim_outbox(p_limit integer default 50, p_lease interval default '5 minutes')
returns table (id bigint, user_id bigint, channel text, template text, payload jsonb, session_id bigint,
               attempts integer, created_at timestamptz, email text, name text, phone text, timezone text,
               role text, session_kind text, service_type text, session_status text, starts_at timestamptz,
               ends_at timestamptz, calendar_sequence integer, session_created_at timestamptz, concern text,
               cancel_reason text, plan_name text, customer_id bigint, customer_name text, mechanic_name text,
               workshop_name text, workshop_address text)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    -- a reminder whose session was cancelled, ended or moved since it was queued is no longer true
    update app.outbox o set status = 'withdrawn', last_error = 'the session changed before it was sent'
    from app.sessions s
    where o.status = 'pending' and o.next_attempt_at <= app.app_now() and o.template like 'reminder\_%'
      and s.id = o.session_id
      and (s.status not in ('scheduled', 'pending') or (o.payload->>'sequence')::integer <> s.calendar_sequence);

    return query
        with due as (
            select o.id from app.outbox o
            where o.status = 'pending' and o.next_attempt_at <= app.app_now()
            order by o.next_attempt_at, o.id
            limit greatest(p_limit, 0)
            for update skip locked
        ),
        claimed as (
            -- the lease: until it runs out no other runner takes the message, and a runner that died while
            -- sending leaves it to be tried again
            update app.outbox o set attempts = o.attempts + 1, next_attempt_at = app.app_now() + p_lease
            from due where o.id = due.id
            returning o.*
        )
        select c.id, c.user_id, c.channel, c.template, c.payload, c.session_id, c.attempts, c.created_at,
               u.email, u.name, u.phone, u.timezone, u.role,
               s.kind, s.service_type, s.status, s.scheduled_for, s.scheduled_for + make_interval(mins => s.duration_minutes),
               s.calendar_sequence, s.created_at, s.concern, s.cancel_reason, p.name, s.customer_id, cu.name, mu.name,
               w.name, concat_ws(', ', w.street, w.city, w.province || ' ' || w.postal_code)
        from claimed c
        join app.users u on u.id = c.user_id
        left join app.sessions s on s.id = c.session_id
        left join app.plans p on p.code = s.plan_code
        left join app.users cu on cu.id = s.customer_id
        left join app.users mu on mu.id = s.mechanic_id
        left join app.workshops w on w.id = s.workshop_id
        order by c.id;
end
$$;
comment on function app.claim_outbox(integer, interval) is
    'The delivery job''s batch (SPEC §14): due pending messages, each taken by one runner only (skip locked) '
    'under a lease (attempts + 1, not due again until the lease ends), with what their templates show: the '
    'recipient and the session. Reminders of sessions that changed since they were queued are withdrawn.';
