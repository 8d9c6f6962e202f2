create or replace function app.any_mechanic_slots(
    p_actor bigint,
    p_from date,
    p_to date,
    p_plan text,
    p_service_type text default 'online',
    p_viewer_tz text default 'UTC',
    p_make text default null,
    p_concern text default null,
    p_request_type text default 'general'
) returns table (slot_start timestamptz, slot_end timestamptz, free_mechanics integer)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'customer');
    if p_from is null or p_to is null or p_to < p_from then
        raise exception using errcode = 'UV004', column = 'to', message = 'the range ends before it starts';
    end if;
    if p_to - p_from > 61 then
        raise exception using errcode = 'UV005', column = 'to', message = 'a range covers at most 62 days';
    end if;
    -- the mechanics reserve_any_slot would try (rank_mechanics), each asked through the one availability truth
    return query
        select s.slot_start, s.slot_end, count(*)::integer
        from app.rank_mechanics(p_actor, p_make, p_concern, p_request_type, p_service_type) r
        cross join lateral app.available_slots(r.mechanic_id, p_from, p_to, p_plan, p_service_type, p_viewer_tz, p_actor) s
        where s.available
        group by s.slot_start, s.slot_end
        order by s.slot_start;
end
$$;
comment on function app.any_mechanic_slots(bigint, date, date, text, text, text, text, text, text) is
    '"Any available mechanic": every start between two dates of the viewer''s zone at which at least one '
    'mechanic who may serve the request (rank_mechanics: in_person needs a workshop, brand_specialist the '
    'make) is free for the plan (available_slots), with how many are. reserve_any_slot then holds the best '
    'of them. Raises UP001, UV004/UV005 (range), UV008, and as available_slots.';
grant execute on function app.any_mechanic_slots(bigint, date, date, text, text, text, text, text, text) to autodoctor_app;
