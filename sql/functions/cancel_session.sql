create or replace function app.cancel_session(p_actor bigint, p_session bigint, p_reason text default null)
returns table (session_id bigint, cancelled_by text, tier text, charged_cents integer, refund_cents integer,
               credit_cents integer, payee_cents integer, platform_cents integer, starts_at timestamptz)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_session app.sessions;
    q record;
begin
    select * into q from app.cancellation_quote(p_session, p_actor, app.app_now());
    perform app.set_actor(p_actor, coalesce(nullif(btrim(p_reason), ''), 'cancelled by the ' || q.cancelled_by));
    -- the guarded move: of two concurrent cancellations, one wins and the other finds it cancelled
    update app.sessions s set status = 'cancelled', cancel_reason = left(nullif(btrim(p_reason), ''), 500)
    where s.id = p_session and s.status in ('requested', 'scheduled', 'pending')
    returning * into v_session;
    if not found then
        raise exception using errcode = 'UR001', message = format('session %s can no longer be cancelled', p_session);
    end if;
    return query select q.session_id, q.cancelled_by, o.tier, o.charged_cents, o.refund_cents, o.credit_cents,
                        o.payee_cents, o.platform_cents, q.starts_at
                 from app.apply_policy_outcome(v_session, q.cancelled_by) o;
end
$$;
comment on function app.cancel_session(bigint, bigint, text) is
    'Cancels a session for its customer, mechanic, workshop admin or a platform admin (as cancellation_quote '
    'checks) and applies SPEC §9 at this moment: refunds (sent after commit), account credit, payouts. The '
    'slot is released (tg_sessions__release_slot). Raises UN001 (not theirs), UR001 (no longer cancellable).';
grant execute on function app.cancel_session(bigint, bigint, text) to autodoctor_app;
