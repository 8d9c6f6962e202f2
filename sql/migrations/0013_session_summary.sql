-- The mechanic's summary of a session, written when completing it (SPEC §11: an in-person visit booked after
-- an online session is pre-filled with it). complete_session takes it and my_appointments returns it, so
-- their old versions go.
alter table app.sessions
    add column summary text,
    add constraint sessions_summary_length check (summary is null or length(summary) <= 4000);
drop function if exists app.complete_session(bigint, bigint);
drop function if exists app.my_appointments(bigint, bigint);
