create or replace function app.tg_sessions__notify() returns trigger
language plpgsql
as $$
declare
    v_event text;
    v_payload jsonb;
    v_handover boolean := tg_op = 'UPDATE' and new.kind = 'scheduled' and new.status = old.status
                          and old.mechanic_id is not null and new.mechanic_id is distinct from old.mechanic_id;
begin
    if tg_op = 'INSERT' then
        v_event := case when new.kind = 'scheduled' and new.status = 'requested' then 'session_requested'
                        when new.kind = 'scheduled' then 'session_booked' end;
    elsif new.status is distinct from old.status then
        v_event := case when new.status = 'cancelled' then 'session_cancelled'
                        when old.status = 'requested' and new.status = 'scheduled' then 'session_accepted'
                        when new.status = 'completed' then 'session_completed' end;
    elsif new.kind = 'immediate' and old.mechanic_id is null and new.mechanic_id is not null then
        v_event := 'session_accepted';  -- a mechanic took the Book Now session
    elsif new.scheduled_for is distinct from old.scheduled_for then
        v_event := 'session_rescheduled';
    elsif v_handover then
        v_event := 'session_reassigned';
    end if;
    if v_event is null then
        return null;
    end if;
    v_payload := jsonb_build_object('session_id', new.id, 'status', new.status, 'starts_at', new.scheduled_for,
                                    'sequence', new.calendar_sequence, 'reason', new.cancel_reason);
    perform app.notify(new.customer_id, v_event, v_payload || '{"audience": "customer"}', new.id);
    if v_handover then
        -- another mechanic takes it (re-match, the workshop's choice, an accepted counter-offer): to each theirs
        perform app.notify(new.mechanic_id, 'session_booked', v_payload || '{"audience": "mechanic"}', new.id);
        perform app.notify(old.mechanic_id, 'session_handed_over', v_payload || '{"audience": "mechanic"}', new.id);
    elsif new.mechanic_id is not null and v_event not in ('session_accepted', 'session_completed') then
        perform app.notify(new.mechanic_id, v_event, v_payload || '{"audience": "mechanic"}', new.id);
    end if;
    if new.service_type = 'in_person' and v_event not in ('session_accepted', 'session_completed') then
        perform app.notify_workshop(new.workshop_id, v_event, v_payload, new.id);
    end if;
    return null;
end
$$;
comment on function app.tg_sessions__notify() is
    'Tells the customer and the mechanic (and, for a visit, the workshop''s admins; SPEC §14, §11) when a '
    'scheduled session is booked or requested, accepted, moved, given to another mechanic or cancelled: outbox '
    'rows in the same transaction as the change. A new mechanic is told of a booking, the one before of the '
    'hand-over. The customer alone is told when a mechanic takes their Book Now session and when a session is '
    'completed (its summary). What each message says is fixed as the change commits (tg_outbox__snapshot).';

create or replace trigger tg_sessions__notify
    after insert or update of status, scheduled_for, mechanic_id on app.sessions
    for each row execute function app.tg_sessions__notify();
