create or replace function app.handle_no_shows() returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session bigint;
    v_count integer := 0;
begin
    perform app.set_actor(null, 'no-show: 15 minutes after the start');
    for v_session in
        select s.id from app.sessions s
        where s.kind = 'scheduled' and s.status = 'scheduled'
          and s.scheduled_for <= app.app_now() - interval '15 minutes'
          and not app.session_handing_over(s.id)  -- rematch_sessions refunds it in full
          and case when s.service_type = 'online' then not app.waiver_on_file(s.customer_id, app.app_now())
                   else not exists (select 1 from app.waiver_signatures w
                                    where w.session_id = s.id and w.mode = 'in_person') end
        order by s.id
        for update skip locked
    loop
        if app.record_no_show(v_session) then
            v_count := v_count + 1;
        end if;
    end loop;
    return v_count;
end
$$;
comment on function app.handle_no_shows() is
    'The every-5-minutes job (SPEC §13): scheduled sessions 15 min past their start with no signed waiver '
    '(online) or no check-in (in person) become no_show with the money of SPEC §9 (record_no_show), once. '
    'Safe to run late, twice or concurrently (rows taken by another runner are skipped). Returns how many.';
