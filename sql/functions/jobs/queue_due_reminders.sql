create or replace function app.queue_due_reminders() returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_count integer;
begin
    with due as (
        select s.id, s.customer_id, s.scheduled_for, s.calendar_sequence, r.code, r.lead
        from app.sessions s
        cross join (values ('24h', interval '24 hours', 1), ('1h', interval '1 hour', 2), ('15min', interval '15 minutes', 3))
            as r (code, lead, rank)
        where s.kind = 'scheduled' and s.status in ('scheduled', 'pending')
          and s.scheduled_for > app.app_now()
          and s.scheduled_for - r.lead <= app.app_now()
          -- only the nearest reminder that is due, and none that the booking itself came after
          and s.created_at < s.scheduled_for - r.lead
          and not exists (select 1 from (values (interval '1 hour', 2), (interval '15 minutes', 3)) n (lead, rank)
                          where n.rank > r.rank and s.scheduled_for - n.lead <= app.app_now())
          and (s.intake->'reminders' is null or s.intake->'reminders' ? r.code)
    ),
    queued as (
        insert into app.outbox (user_id, channel, template, payload, session_id, dedupe_key, next_attempt_at, created_at)
        select d.customer_id, c.channel, 'reminder_' || d.code,
               jsonb_build_object('session_id', d.id, 'starts_at', d.scheduled_for, 'sequence', d.calendar_sequence,
                                  'audience', 'customer'),
               d.id, format('reminder-%s-%s-%s:%s', d.id, d.calendar_sequence, d.code, c.channel), app.app_now(), app.app_now()
        from due d
        join app.users u on u.id = d.customer_id
        -- every reminder by email; the 1 h one also by text message to a customer with a phone number
        cross join lateral (values ('email'), ('sms')) c (channel)
        where c.channel = 'email' or (d.code = '1h' and u.phone is not null)
        on conflict (dedupe_key) do nothing
        returning 1
    )
    select count(*) into v_count from queued;
    return v_count;
end
$$;
comment on function app.queue_due_reminders() is
    'The reminder job (SPEC §13): queues each scheduled session''s 24 h, 1 h and 15 min reminders once '
    '(the last with the waiver and join links; the 1 h one also by SMS when the customer has a phone), only the nearest one that is due, none the booking came after, '
    'and only those the customer chose (intake.reminders). A moved session (new calendar sequence) is '
    'reminded again. Safe to run late, twice or concurrently. Returns how many were queued.';
