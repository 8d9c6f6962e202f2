create or replace function app.tg_sessions__analytics_changes() returns trigger
language plpgsql
as $$
begin
    -- the days whose numbers this change moves: when it was booked (lead time, peak hours), when it was or is
    -- due (no-shows, booked minutes), and, if it changes hands, the days its money moved. Only past instants:
    -- the days to come are not summed yet, and today is summed again at every run anyway.
    insert into app.analytics_changes (at)
    select t
    from unnest(array[old.created_at, old.scheduled_for, new.scheduled_for]) t
    where t < app.app_now()
    union
    select m.at
    from (select p.succeeded_at as at from app.payments p where p.session_id = new.id
          union all select r.completed_at from app.refunds r where r.session_id = new.id
          union all select c.created_at from app.credit_entries c where c.session_id = new.id
          union all select y.created_at from app.payouts y where y.session_id = new.id) m
    where new.mechanic_id is distinct from old.mechanic_id and m.at < app.app_now();
    return null;
end
$$;
comment on function app.tg_sessions__analytics_changes() is
    'A change to a session that can move the analytics of a day already summed records the instants it touches '
    '(analytics_changes), so that refresh_analytics sums those days again at its next run.';

create or replace trigger tg_sessions__analytics_changes
    after update of status, scheduled_for, mechanic_id, plan_code, kind on app.sessions
    for each row when (new.status is distinct from old.status or new.scheduled_for is distinct from old.scheduled_for
                       or new.mechanic_id is distinct from old.mechanic_id or new.plan_code is distinct from old.plan_code
                       or new.kind is distinct from old.kind)
    execute function app.tg_sessions__analytics_changes();
