create or replace function app.claim_outbox(p_limit integer default 50, p_lease interval default '5 minutes')
returns table (id bigint, user_id bigint, channel text, template text, payload jsonb, session_id bigint,
               attempts integer, created_at timestamptz, email text, name text, phone text, timezone text,
               role text, snapshot jsonb)
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
        -- what the message says is its snapshot, taken when its event committed; the recipient's address and
        -- zone are theirs as they are now (a message queued before snapshots were kept says the session as it is)
        select c.id, c.user_id, c.channel, c.template, c.payload, c.session_id, c.attempts, c.created_at,
               u.email, u.name, u.phone, u.timezone, u.role,
               coalesce(c.snapshot, app.session_snapshot(c.session_id))
        from claimed c
        join app.users u on u.id = c.user_id
        order by c.id;
end
$$;
comment on function app.claim_outbox(integer, interval) is
    'The delivery job''s batch (SPEC §14): due pending messages, each taken by one runner only (skip locked) '
    'under a lease (attempts + 1, not due again until the lease ends), with what their templates show: the '
    'recipient, and the session as it was when the message was queued (its snapshot). Reminders of sessions that changed since they were queued are withdrawn.';
