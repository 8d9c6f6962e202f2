create or replace function app.tg_outbox__snapshot() returns trigger
language plpgsql security definer  -- it runs at commit, as whoever committed: the app's role may not write the outbox
set search_path = app, pg_temp
as $$
begin
    update app.outbox set snapshot = app.session_snapshot(new.session_id) where id = new.id;
    return null;
end
$$;
comment on function app.tg_outbox__snapshot() is
    'Fixes what a message about a session says as its event commits (issue 17): deferred to the end of the '
    'transaction, so that what the event did after queuing it (a cancellation''s refund and credit) is in it, '
    'and nothing done after it (a later reschedule, an accepted counter-offer) is.';

drop trigger if exists tg_outbox__snapshot on app.outbox;
create constraint trigger tg_outbox__snapshot
    after insert on app.outbox
    deferrable initially deferred
    for each row when (new.session_id is not null)
    execute function app.tg_outbox__snapshot();
