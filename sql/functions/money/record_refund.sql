create or replace function app.record_refund(p_refund bigint, p_gateway_refund jsonb) returns app.refunds
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_refund app.refunds;
    v_status text := case p_gateway_refund->>'status'
        when 'succeeded' then 'succeeded' when 'failed' then 'failed' when 'canceled' then 'failed' else 'pending' end;
begin
    update app.refunds r
    set status = case when r.status = 'pending' or r.gateway_refund_id is null then v_status else r.status end,
        gateway_refund_id = coalesce(r.gateway_refund_id, p_gateway_refund->>'id'),
        failure_message = case when v_status = 'failed' then left(coalesce(p_gateway_refund->>'failure_reason', 'refund failed'), 500) end,
        completed_at = case when (r.status = 'pending' or r.gateway_refund_id is null) and v_status <> 'pending'
                            then app.app_now() else r.completed_at end,
        -- an answer 'pending' is counted by note_refund_attempt, which also backs its next question off
        attempts = r.attempts + (v_status <> 'pending')::integer
    where r.id = p_refund and (r.gateway_refund_id is null or r.gateway_refund_id = p_gateway_refund->>'id')
    returning * into v_refund;
    if not found then
        raise exception using errcode = 'UN003', message = format('no refund %s for gateway refund %s', p_refund, p_gateway_refund->>'id');
    end if;
    return v_refund;
end
$$;
comment on function app.record_refund(bigint, jsonb) is
    'Records the gateway''s answer to a refund (its JSON): succeeded or failed is final, pending waits (the '
    'sender then calls note_refund_attempt). A refund failed here because the gateway never answered takes the '
    'gateway''s first answer after all (a success whose reply was lost). Raises UN003 for an unknown refund or one '
    'answered by another gateway refund.';
grant execute on function app.record_refund(bigint, jsonb) to autodoctor_payments;
