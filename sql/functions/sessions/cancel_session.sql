create or replace function app.cancel_session(p_actor bigint, p_session bigint, p_reason text default null,
                                              p_expected_tier text default null)
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
    perform app.require_actor(p_actor);
    select * into q from app.cancellation_quote(p_session, p_actor, app.app_now());
    if q.tier is distinct from coalesce(p_expected_tier, q.tier) then
        -- a policy limit passed between showing the refund and confirming it: nothing happens, the new quote is due
        raise exception using errcode = 'UC005',
            message = format('session %s: the cancellation is now %s, not %s', p_session, q.tier, p_expected_tier);
    end if;
    if q.cancelled_by = 'admin' and nullif(btrim(p_reason), '') is null then
        -- SPEC §20: the platform cancels only with a reason, which the customer is told
        raise exception using errcode = 'UV086', column = 'reason', message = 'an admin cancels with a reason';
    end if;
    perform app.set_actor(p_actor, coalesce(nullif(btrim(p_reason), ''), 'cancelled by the ' || q.cancelled_by));
    if q.cancelled_by = 'mechanic' then
        -- SPEC §8: the booked mechanic steps out of a confirmed session that has not started; the re-match job
        -- finds another mechanic, or refunds the customer in full
        select * into v_session from app.sessions s where s.id = p_session for update;
        if app.session_handing_over(p_session) then
            raise exception using errcode = 'UR001', message = format('session %s is already being re-matched', p_session);
        end if;
        if v_session.kind = 'scheduled' and v_session.status = 'scheduled' and v_session.scheduled_for > app.app_now() then
            insert into app.session_rematches (session_id, from_mechanic_id, reason, requested_at)
            values (p_session, p_actor, left(nullif(btrim(p_reason), ''), 500), app.app_now());
            return query select q.session_id, q.cancelled_by, 'rematch'::text, q.charged_cents, 0, 0, 0, 0, q.starts_at;
            return;
        end if;
    end if;
    -- the guarded move: of two concurrent cancellations, one wins and the other finds it cancelled
    update app.sessions s set status = 'cancelled', cancel_reason = left(nullif(btrim(p_reason), ''), 500)
    where s.id = p_session and s.status in ('requested', 'scheduled', 'pending')
    returning * into v_session;
    if not found then
        raise exception using errcode = 'UR001', message = format('session %s can no longer be cancelled', p_session);
    end if;
    return query select q.session_id, q.cancelled_by, o.tier, o.charged_cents, o.refund_cents, o.credit_cents,
                        o.payee_cents, o.platform_cents, q.starts_at
                 from app.apply_policy_outcome(v_session, app.policy_side(v_session, q.cancelled_by)) o;
end
$$;
comment on function app.cancel_session(bigint, bigint, text, text) is
    'Cancels a session for its customer, mechanic, workshop admin or a platform admin (as cancellation_quote '
    'checks) and applies SPEC §9 at this moment: refunds (sent after commit), account credit, payouts. The '
    'slot is released (tg_sessions__release_slot). The booked mechanic cancelling a confirmed session before '
    'its start hands it to rematch_sessions instead (tier rematch, no money moves yet). With p_expected_tier '
    '(the quote the person saw), a different tier now refuses with UC005 and changes nothing. Raises UN001 '
    '(not theirs), UR001 (no longer cancellable), UV086 (a platform admin gave no reason).';
grant execute on function app.cancel_session(bigint, bigint, text, text) to autodoctor_app;
