create or replace function app.apply_gateway_event(p_event_id text, p_type text, p_object jsonb) returns text
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    insert into app.gateway_events (event_id, type, object_id, received_at)
    values (p_event_id, p_type, p_object->>'id', app.app_now())
    on conflict (event_id) do nothing;
    if not found then
        return 'duplicate';
    end if;
    if p_object->>'object' = 'payment_intent' then
        perform app.apply_payment_intent(p_object);
    elsif p_object->>'object' = 'refund' and p_object->'metadata' ? 'refund_id' then
        perform app.record_refund((p_object->'metadata'->>'refund_id')::bigint, p_object);
    else
        return 'ignored';
    end if;
    return 'applied';
end
$$;
comment on function app.apply_gateway_event(text, text, jsonb) is
    'Applies a verified gateway event once: the event id is recorded in the same transaction as its effect, '
    'so a redelivery (even a concurrent one) returns ''duplicate'' and changes nothing. p_object is the '
    'object as the gateway says it is now (re-read by the caller), so the order of events does not matter.';
grant execute on function app.apply_gateway_event(text, text, jsonb) to autodoctor_payments;
