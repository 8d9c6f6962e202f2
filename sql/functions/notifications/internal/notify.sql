create or replace function app.notify(
    p_user bigint,
    p_template text,
    p_payload jsonb default '{}',
    p_session bigint default null,
    p_key text default null,
    p_channels text[] default '{email}'
) returns void
language sql volatile
as $$
    insert into app.outbox (user_id, channel, template, payload, session_id, dedupe_key, next_attempt_at, created_at)
    select p_user, c, p_template, coalesce(p_payload, '{}'), p_session, p_key || ':' || c, app.app_now(), app.app_now()
    from unnest(p_channels) c
    on conflict (dedupe_key) do nothing;
$$;
comment on function app.notify(bigint, text, jsonb, bigint, text, text[]) is
    'Queues a notification for a user on each channel, in the transaction of its cause (SPEC §14). With a '
    'key, a notification already queued under that key is not queued again.';
