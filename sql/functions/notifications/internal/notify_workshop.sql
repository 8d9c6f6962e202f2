create or replace function app.notify_workshop(p_workshop bigint, p_template text, p_payload jsonb, p_session bigint,
                                               p_key text default null)
returns void
language sql volatile
as $$
    select app.notify(a.user_id, p_template, p_payload || '{"audience": "workshop"}', p_session,
                      p_key || '-' || a.user_id)
    from app.workshop_admins a
    where a.workshop_id = p_workshop;
$$;
comment on function app.notify_workshop(bigint, text, jsonb, bigint, text) is
    'Queues a notification for every admin of a workshop (audience workshop), deduplicated per admin by key.';
