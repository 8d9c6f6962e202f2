create or replace function app.match_mechanics_at(
    p_customer bigint,
    p_start timestamptz,
    p_plan text,
    p_service_type text default 'online',
    p_make text default null,
    p_concern text default null,
    p_request_type text default 'general',
    p_limit integer default 10
) returns table (mechanic_id bigint, score integer, reasons text[])
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_duration interval := app.plan_duration(p_plan);
begin
    -- best first, and availability is asked only until enough free mechanics are found
    return query
        select r.mechanic_id, r.score, r.reasons
        from app.rank_mechanics(p_customer, p_make, p_concern, p_request_type, p_service_type) r
        cross join lateral app.evaluate_slots(r.mechanic_id, array[p_start], v_duration, p_service_type, p_customer) e
        where e.reason is null
        limit greatest(p_limit, 0);
end
$$;
comment on function app.match_mechanics_at(bigint, timestamptz, text, text, text, text, text, integer) is
    'The best-scoring mechanics free for [start, start + plan) (SPEC §8 for a scheduled time), best first.';
grant execute on function app.match_mechanics_at(bigint, timestamptz, text, text, text, text, text, integer) to autodoctor_app;
