-- Issue 18: each lead time of a session's rules (move until 2 h before, waiver from 1 h before, join from 15 min
-- before, no-show from 10 min after) is one function (sessions/internal/*_minutes.sql) that the guards, their
-- refusals' sentences, the job and the read models read alike; the read models also give the pages those lead
-- times in words, so their result types gain columns and are recreated by their files.
drop function if exists app.my_appointments(bigint, bigint);
drop function if exists app.mechanic_sessions(bigint, bigint);
drop function if exists app.workshop_visits(bigint, bigint, bigint);
