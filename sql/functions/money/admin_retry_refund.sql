create or replace function app.admin_retry_refund(p_actor bigint, p_refund bigint) returns app.refunds
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_refund app.refunds;
begin
    perform app.require_role(p_actor, 'admin');
    update app.refunds r
    set status = 'pending', attempts = 0, next_attempt_at = app.app_now(), completed_at = null,
        failure_message = null, retried_at = app.app_now(), retried_by = p_actor,
        -- a refund the gateway answered 'failed' is asked for anew (its key would only give that answer again); one
        -- it never took keeps its key, so that a success whose reply was lost is not made twice
        idempotency_key = case when r.gateway_refund_id is null then r.idempotency_key
                               else format('refund-%s-retry-%s', r.id, gen_random_uuid()) end,
        gateway_refund_id = null
    where r.id = p_refund and r.status = 'failed'
    returning * into v_refund;
    if not found then
        if exists (select 1 from app.refunds r where r.id = p_refund) then
            raise exception using errcode = 'UC010', message = format('refund %s is not failed', p_refund);
        end if;
        raise exception using errcode = 'UN003', message = format('no refund %s', p_refund);
    end if;
    return v_refund;
end
$$;
comment on function app.admin_retry_refund(bigint, bigint) is
    'The platform admin sends a failed refund again (SPEC §9: the customer''s "our support team will return it"): '
    'pending with a fresh count of attempts, due at once, and the admin and the time recorded (retried_by, '
    'retried_at). A refund the gateway refused as failed goes under a new idempotency key. Raises UP001, UN003 (no '
    'such refund), UC010 (it is not failed: sent, or already being sent).';
grant execute on function app.admin_retry_refund(bigint, bigint) to autodoctor_app;
