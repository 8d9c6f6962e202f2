create or replace function app.set_workshop_hours(p_actor bigint, p_workshop_id bigint, p_days jsonb) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_day jsonb;
    v_weekday integer;
    v_part text;
    v_opens time;
    v_closes time;
    v_break_start time;
    v_break_end time;
    v_capacity smallint;
    v_day_problems text[];
    v_problems text[] := '{}'::text[];
begin
    perform app.require_workshop_admin(p_actor, p_workshop_id);
    -- case, not or: the array functions may only see an array
    if (case when jsonb_typeof(p_days) = 'array'
             then jsonb_array_length(p_days) <> 7
                  or (select count(distinct d->>'weekday') from jsonb_array_elements(p_days) d
                      where jsonb_typeof(d) = 'object' and d->>'weekday' in ('1', '2', '3', '4', '5', '6', '7')) <> 7
             else true end) then
        raise exception using errcode = 'UV053', column = 'hours', message = 'hours need the seven weekdays 1 to 7, each once';
    end if;
    v_capacity := coalesce((select max(h.capacity) from app.workshop_availability h where h.workshop_id = p_workshop_id), 5);

    -- every day is judged before any refusal, so the admin sees all the bad fields of the week at once; the
    -- refusal at the end undoes the days already written
    for v_day in select d from jsonb_array_elements(p_days) d order by (d->>'weekday')::integer loop
        v_weekday := (v_day->>'weekday')::integer;
        v_opens := null; v_closes := null; v_break_start := null; v_break_end := null;
        v_day_problems := '{}'::text[];
        if v_day->>'closed' is distinct from 'true' then
            foreach v_part in array array['opens', 'closes', 'break_start', 'break_end'] loop
                if nullif(btrim(v_day->>v_part), '') !~ '^(([01]?[0-9]|2[0-3]):[0-5][0-9]|24:00)(:00)?$' then
                    v_day_problems := v_day_problems || format('UV050:day%s_%s', v_weekday, v_part);
                end if;
            end loop;
            if cardinality(v_day_problems) = 0 then
                v_opens := nullif(btrim(v_day->>'opens'), '')::time;
                -- a time field cannot hold 24:00, so a closing time of 00:00 means midnight
                v_closes := nullif(btrim(v_day->>'closes'), '')::time;
                if v_closes = '00:00' then
                    v_closes := '24:00';
                end if;
                v_break_start := nullif(btrim(v_day->>'break_start'), '')::time;
                v_break_end := nullif(btrim(v_day->>'break_end'), '')::time;
                if v_opens is null or v_closes is null or v_closes <= v_opens then
                    v_day_problems := v_day_problems || format('UV051:day%s_%s', v_weekday,
                                                               case when v_opens is null then 'opens' else 'closes' end);
                elsif (v_break_start is null) <> (v_break_end is null)
                      or not (v_break_start > v_opens and v_break_end > v_break_start and v_break_end < v_closes) then
                    v_day_problems := v_day_problems || format('UV052:day%s_%s', v_weekday,
                        case when v_break_start is null then 'break_start'
                             when v_break_end is null or v_break_start > v_opens then 'break_end'
                             else 'break_start' end);
                end if;
            end if;
        end if;
        v_problems := v_problems || v_day_problems;
        continue when cardinality(v_problems) > 0;
        insert into app.workshop_availability (workshop_id, weekday, is_closed, opens_at, closes_at,
                                               break_start, break_end, capacity)
        values (p_workshop_id, v_weekday, v_opens is null, v_opens, v_closes, v_break_start, v_break_end, v_capacity)
        on conflict (workshop_id, weekday) do update
            set is_closed = excluded.is_closed, opens_at = excluded.opens_at, closes_at = excluded.closes_at,
                break_start = excluded.break_start, break_end = excluded.break_end;
    end loop;
    perform app.refuse_fields(v_problems);
end
$$;
comment on function app.set_workshop_hours(bigint, bigint, jsonb) is
    'Replaces a workshop''s opening hours for all seven weekdays at once. p_days: seven objects {weekday (1 = '
    'Monday), closed, opens, closes, break_start, break_end}, times as local "HH:MM" in the workshop''s zone '
    '(closing at 00:00 or 24:00 is midnight); a closed day keeps no times. Every day is saved or none. New '
    'bookings follow the new hours at once; bookings already made are kept (my_workshops counts those now '
    'outside). Raises UP001 / UN001 (not this admin''s workshop), UV053 (not the seven weekdays), then every '
    'bad field of every weekday at once (refuse_fields: UV000 listing CODE:dayN_field when several, else the one '
    'code with column dayN_field): UV050 (not a time on a whole minute), UV051 (missing, or closing '
    'not after opening), UV052 (break missing an end, or not inside the hours).';
grant execute on function app.set_workshop_hours(bigint, bigint, jsonb) to autodoctor_app;
