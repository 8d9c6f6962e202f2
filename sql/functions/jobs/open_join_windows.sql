create or replace function app.open_join_windows() returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_count integer;
begin
    perform app.set_actor(null, 'join window opened');
    update app.sessions s set status = 'pending'
    where s.kind = 'scheduled' and s.service_type = 'online' and s.status = 'scheduled'
      and s.scheduled_for <= app.app_now() + make_interval(mins => app.join_lead_minutes())
      and s.scheduled_for > app.app_now() - interval '4 hours'  -- no plan is longer: lets the index bound the scan
      and s.scheduled_for + make_interval(mins => s.duration_minutes) > app.app_now()
      and app.waiver_on_file(s.customer_id, app.app_now())
      and not app.session_handing_over(s.id);
    get diagnostics v_count = row_count;
    return v_count;
end
$$;
comment on function app.open_join_windows() is
    'The every-minute job of SPEC §7: scheduled online sessions whose join window is open (15 min before the '
    'start: join_lead_minutes) and whose customer has a waiver on file move to pending. Idempotent. Returns how many moved.';
