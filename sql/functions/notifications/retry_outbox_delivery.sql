create or replace function app.retry_outbox_delivery(p_actor bigint, p_outbox bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'admin');
    update app.outbox o set status = 'pending', attempts = 0, next_attempt_at = app.app_now()
    where o.id = p_outbox and (o.status = 'failed' or (o.status = 'pending' and o.attempts > 0));
    if not found then
        raise exception using errcode = 'UN001', message = format('outbox row %s is not failed or retrying', p_outbox);
    end if;
end
$$;
comment on function app.retry_outbox_delivery(bigint, bigint) is
    'The platform admin sends a failed or retrying notification again at the next delivery run, with a fresh '
    'count of attempts. Raises UP001, UN001 (no such row, or one that went out or was withdrawn).';
grant execute on function app.retry_outbox_delivery(bigint, bigint) to autodoctor_app;
