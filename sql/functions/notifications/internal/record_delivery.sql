create or replace function app.record_delivery(p_id bigint, p_via text default null, p_ref text default null,
                                               p_error text default null, p_max_attempts integer default 8)
returns text
language sql volatile security definer
set search_path = app, pg_temp
as $$
    select d.status
    from app.record_deliveries(jsonb_build_array(jsonb_build_object(
        'id', p_id, 'via', p_via, 'ref', p_ref, 'error', p_error, 'max_attempts', p_max_attempts))) d;
$$;
comment on function app.record_delivery(bigint, text, text, text, integer) is
    'record_deliveries for one message (tests, the demo): sent, or an error that makes it due again after a '
    'back-off until p_max_attempts, then failed. A message already recorded is left alone. Returns the new status.';
