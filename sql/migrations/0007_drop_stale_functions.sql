-- Functions whose signature or return type changed after they first shipped, and one that was removed: a
-- database built from an earlier commit keeps the old versions (or, for a new return type, cannot replace
-- them at all), so they go here and the function files create the current ones.
drop function if exists app.complete_payment(bigint);
drop function if exists app.apply_policy_outcome(app.sessions, text, text, integer, integer, integer, integer);
drop function if exists app.mechanic_type(bigint, text);
drop function if exists app.workshop_peak_load(bigint, tstzrange, timestamptz);
