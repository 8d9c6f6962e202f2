-- The timed jobs (SPEC §13) look for sessions by their start; this keeps their every-minute scans small.
create index sessions_due_idx on app.sessions (scheduled_for) where status in ('requested', 'scheduled', 'pending');
