create or replace function app.cancellation_quote(p_session bigint, p_actor bigint, p_at timestamptz default null)
returns table (session_id bigint, cancelled_by text, tier text, charged_cents integer, refund_cents integer,
               credit_cents integer, payee_cents integer, platform_cents integer, starts_at timestamptz)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
    v_side text;
begin
    perform app.require_actor(p_actor);
    select * into v_session from app.sessions s where s.id = p_session;
    v_side := app.session_actor_side(v_session, p_actor);
    if not found or v_side is null then
        raise exception using errcode = 'UN001', message = format('session %s is not one of user %s', p_session, p_actor);
    end if;
    if v_session.status not in ('requested', 'scheduled', 'pending') then
        raise exception using errcode = 'UR001', message = format('session %s is %s: it cannot be cancelled', p_session, v_session.status);
    end if;
    return query
        select v_session.id, v_side, o.tier, o.charged_cents, o.refund_cents, o.credit_cents, o.payee_cents,
               o.platform_cents, v_session.scheduled_for
        from app.policy_outcome(v_session, app.policy_side(v_session, v_side), coalesce(p_at, app.app_now())) o;
end
$$;
comment on function app.cancellation_quote(bigint, bigint, timestamptz) is
    'What cancelling the session at p_at (default now) by this user would do with its money (SPEC §9): the '
    'tier, the refund to the card and credit, the account credit, the payee''s and the platform''s shares. '
    'Raises UN001 when the session is not theirs, UR001 when it can no longer be cancelled.';
grant execute on function app.cancellation_quote(bigint, bigint, timestamptz) to autodoctor_app;
