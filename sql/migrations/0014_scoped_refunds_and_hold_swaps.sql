-- pending_refunds can be asked for the refunds of one session or one payment, so that a request sends only
-- the refunds it caused (the send_refunds job sends the rest). The file re-creates it with the new signature.
drop function if exists app.pending_refunds(integer);
-- workshop_overview gave way to my_workshops
drop function if exists app.workshop_overview(bigint);
-- reserve_slot and reserve_any_slot take the hold they replace, given back in their own transaction
drop function if exists app.reserve_slot(bigint, bigint, timestamptz, text, text);
drop function if exists app.reserve_any_slot(bigint, timestamptz, text, text, text, text, text);
-- cancel_session checks the tier the person was quoted
drop function if exists app.cancel_session(bigint, bigint, text);
-- check_booking_input also checks that a brand specialist booked by name lists the make
drop function if exists app.check_booking_input(bigint, text, text, text, bigint, boolean, text, text, boolean);
