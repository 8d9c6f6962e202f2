-- SPEC §12, §20: remote advice and in-person visits have their own waiver texts, chosen by the session's
-- service type; SPEC §4: a mechanic's time off entries do not overlap.

-- Each waiver version is of one kind. The texts published so far are the remote advice waiver; adding the
-- column rewrites no row, so tg_waiver_versions__frozen has nothing to refuse.
alter table app.waiver_versions
    add column service_type text not null default 'online',
    add constraint waiver_versions_service_type_check check (service_type in ('online', 'in_person'));

insert into app.waiver_versions (version, title, body, service_type, published_at)
select coalesce(max(version), 0) + 1, 'In-person visit waiver',
'You are bringing your vehicle to the workshop for inspection, diagnosis or repair. You authorise the '
'workshop''s mechanics to inspect it, move it within the workshop, lift it and road-test it where the work '
'needs it, and to do the work you agree to; any work beyond that is done only after you approve it and its '
'price. Remove valuables from the vehicle: the workshop is not responsible for personal items left in it. '
'Stay in the waiting area and keep out of the service bays while the work is done. Parts that are worn may '
'reveal further faults once opened; the mechanic tells you before going further. Auto Doctor and the '
'workshop are not liable for damage or injury beyond what their own negligence causes, except where the '
'law does not allow this to be excluded.',
    'in_person', '2026-01-01 00:00+00'
from app.waiver_versions;

-- the functions now take the kind of waiver (their files create them again)
drop function if exists app.current_waiver_version();
drop function if exists app.waiver_on_file(bigint, timestamptz);
drop function if exists app.my_waiver(bigint);
drop function if exists app.check_in_waiver(bigint);
drop function if exists app.add_time_off(bigint, date, date, text);

-- Overlapping time off of one mechanic becomes one entry: per run of entries that overlap or touch, the
-- first keeps the whole run (and a reason of the run when it had none), the others are cancelled.
with live as (
    select t.*, max(t.end_date) over (partition by t.mechanic_id order by t.start_date, t.id
                                      rows between unbounded preceding and 1 preceding) as reach
    from app.mechanic_time_off t
    where t.status <> 'cancelled'
), runs as (
    select l.*, sum(case when l.reach is null or l.start_date > l.reach + 1 then 1 else 0 end)
                    over (partition by l.mechanic_id order by l.start_date, l.id) as run
    from live l
), merged as (
    select r.mechanic_id, r.run,
           (array_agg(r.id order by r.start_date, r.id))[1] as keep,
           min(r.start_date) as start_date, max(r.end_date) as end_date,
           (array_agg(r.reason order by r.start_date, r.id) filter (where r.reason is not null))[1] as reason,
           bool_or(r.status = 'approved') as approved
    from runs r
    group by r.mechanic_id, r.run
    having count(*) > 1
), cancelled as (  -- runs in full, as every data-modifying WITH does
    update app.mechanic_time_off t set status = 'cancelled'
    from runs r join merged m on m.mechanic_id = r.mechanic_id and m.run = r.run
    where t.id = r.id and t.id <> m.keep
)
update app.mechanic_time_off t
set start_date = m.start_date, end_date = m.end_date, reason = m.reason,
    status = case when m.approved then 'approved' else t.status end
from merged m
where t.id = m.keep;

alter table app.mechanic_time_off
    add constraint mechanic_time_off_no_overlap exclude using gist (
        mechanic_id with =, daterange(start_date, end_date, '[]') with &&) where (status <> 'cancelled');
