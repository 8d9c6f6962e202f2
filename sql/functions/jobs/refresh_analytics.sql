create or replace function app.refresh_analytics() returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_changes bigint[];
    v_zone text;
    v_today date;
    v_days date[];
    v_done integer := 0;
begin
    -- the changes committed so far; one committed later waits for the next run
    v_changes := array(select c.id from app.analytics_changes c);

    -- the zones of the people who see numbers: a viewer in another zone is answered from the rows
    for v_zone in
        select distinct u.timezone from app.users u
        where u.role in ('admin', 'workshop_admin', 'mechanic') and u.deactivated_at is null
        order by 1
    loop
        v_today := (app.app_now() at time zone v_zone)::date;
        v_days := array(
            -- today, and a day summed before it ended, or changed since
            select s.day from app.analytics_summaries s
            where s.zone = v_zone and (s.summarized_at < (s.day + 1)::timestamp at time zone v_zone
                                       or s.day in (select (c.at at time zone v_zone)::date from app.analytics_changes c
                                                    where c.id = any(v_changes)))
            union
            select v_today
            union
            -- the days of the last 400 (a range covers at most 366) never summed: 31 per run, newest first
            (select d::date from generate_series((v_today - 400)::timestamp, (v_today - 1)::timestamp, interval '1 day') d
             where not exists (select 1 from app.analytics_summaries s where s.zone = v_zone and s.day = d::date)
             order by d desc limit 31));

        delete from app.analytics_days a where a.zone = v_zone and a.day = any(v_days);
        delete from app.analytics_plan_days a where a.zone = v_zone and a.day = any(v_days);
        delete from app.analytics_hours a where a.zone = v_zone and a.day = any(v_days);
        insert into app.analytics_days select v_zone, f.* from app.analytics_compute_days(v_zone, v_days) f;
        insert into app.analytics_plan_days select v_zone, f.* from app.analytics_compute_plan_days(v_zone, v_days) f;
        insert into app.analytics_hours select v_zone, f.* from app.analytics_compute_hours(v_zone, v_days) f;
        insert into app.analytics_summaries (zone, day, summarized_at)
        select v_zone, d, app.app_now() from unnest(v_days) d
        on conflict (zone, day) do update set summarized_at = excluded.summarized_at;
        v_done := v_done + cardinality(v_days);
    end loop;

    delete from app.analytics_changes c where c.id = any(v_changes);
    return v_done;
end
$$;
comment on function app.refresh_analytics() is
    'Timed job (every 5 minutes): sums the analytics (analytics_days, analytics_plan_days, analytics_hours) of '
    'local days in each zone a platform admin, workshop admin or mechanic lives in: today, the days summed '
    'before they ended or changed since (analytics_changes), and 31 days of the last 400 never summed, newest '
    'first (a year of history takes 13 runs). Idempotent. Returns how many days it summed.';
