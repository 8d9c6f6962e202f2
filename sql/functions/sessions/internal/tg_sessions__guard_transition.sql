create or replace function app.tg_sessions__guard_transition() returns trigger
language plpgsql
as $$
declare
    v_now timestamptz := app.app_now();
begin
    if new.status = old.status then
        return new;
    end if;
    -- a session its mechanic stepped out of waits for the re-match (SPEC §8): it may only be cancelled
    if new.status <> 'cancelled' and app.session_handing_over(old.id) then
        raise exception using errcode = 'UR001',
            message = format('session %s is being handed to another mechanic', old.id);
    end if;
    if not (old.status, new.status) in (
        ('requested', 'scheduled'), ('requested', 'cancelled'), ('requested', 'expired'),
        ('scheduled', 'pending'), ('scheduled', 'cancelled'), ('scheduled', 'no_show'),
        ('pending', 'live'), ('pending', 'cancelled'), ('pending', 'expired'), ('pending', 'no_show'),
        ('live', 'completed'))
    then
        raise exception using errcode = 'UR001',
            message = format('session %s cannot go from %s to %s', old.id, old.status, new.status);
    end if;
    if new.status = 'completed' and v_now < app.session_completes_from(new.service_type, new.scheduled_for) then
        raise exception using errcode = 'UR063',
            message = format('session %s starts at %s: it completes from then', old.id, new.scheduled_for);
    end if;
    case new.status
        when 'live' then new.started_at := v_now;
        when 'completed' then new.ended_at := v_now;
        when 'cancelled' then new.cancelled_at := v_now;
        when 'expired' then new.expired_at := v_now;
        when 'no_show' then new.no_show_at := v_now;
        when 'scheduled' then new.accepted_at := coalesce(new.accepted_at, v_now);
        else null;
    end case;
    return new;
end
$$;
comment on function app.tg_sessions__guard_transition() is
    'SPEC §7: refuses (UR001) every status change but requested→scheduled/cancelled/expired, '
    'scheduled→pending/cancelled/no_show, pending→live/cancelled/expired/no_show and live→completed, and '
    'stamps the time of the move. A session being re-matched (session_handing_over) may only be cancelled. '
    'An in-person visit completes from its start only (session_completes_from; UR063).';

create or replace trigger tg_sessions__guard_transition
    before update of status on app.sessions
    for each row execute function app.tg_sessions__guard_transition();
