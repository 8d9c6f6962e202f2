create or replace function app.rank_mechanics(
    p_customer bigint,
    p_make text default null,
    p_concern text default null,
    p_request_type text default 'general',
    p_service_type text default 'online',
    p_city text default null,
    p_postal_code text default null
) returns table (mechanic_id bigint, score integer, reasons text[], online boolean)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_now timestamptz := app.app_now();
    v_city text;
    v_fsa text;
begin
    if p_request_type = 'brand_specialist' and nullif(btrim(p_make), '') is null then
        raise exception using errcode = 'UV008', column = 'make', message = 'a brand specialist request names the make';
    end if;
    select lower(coalesce(nullif(btrim(p_city), ''), c.city)),
           upper(left(coalesce(nullif(btrim(p_postal_code), ''), c.postal_code), 3))
    into v_city, v_fsa from app.customers c where c.id = p_customer;
    return query
        with parts as (
            select m.id, m.currently_on_shift as online, array_remove(array[
                case when m.currently_on_shift then 'online now +50'
                     when m.last_seen_at >= v_now - interval '30 minutes' then 'seen in the last 30 min +30'
                     when m.last_seen_at >= v_now - interval '1 hour' then 'seen in the last hour +20'
                     when (m.last_seen_at at time zone m.timezone)::date = (v_now at time zone m.timezone)::date
                         then 'seen today +10' end,
                case when p_make is not null and exists (select 1 from unnest(m.brands) b where lower(b) = lower(btrim(p_make)))
                     then 'specialist in ' || btrim(p_make) || ' +30' end,
                case when m.years_experience >= 10 then m.years_experience || ' years of experience +20'
                     when m.years_experience >= 5 then m.years_experience || ' years of experience +10' end,
                case when v_fsa is not null and upper(left(m.postal_code, 3)) = v_fsa then 'same area (' || v_fsa || ') +10'
                     when v_city is not null and lower(m.city) = v_city then 'same city +5' end,
                case when m.rating >= 5.0 then 'rated 5.0 +20'
                     when m.rating >= 4.5 then 'rated ' || m.rating || ' +15'
                     when m.rating >= 4.0 then 'rated ' || m.rating || ' +10'
                     when m.rating >= 3.5 then 'rated ' || m.rating || ' +5' end
            ] || coalesce((select array_agg('knows ' || s || ' +15' order by s) from unnest(m.specialties) s
                           where p_concern is not null and position(lower(s) in lower(p_concern)) > 0), '{}'), null) as reasons
            from app.mechanics m
            join app.users u on u.id = m.id
            where u.deactivated_at is null
              and (p_service_type is distinct from 'in_person' or m.workshop_id is not null)
              and (p_request_type is distinct from 'brand_specialist'
                   or exists (select 1 from unnest(m.brands) b where lower(b) = lower(btrim(p_make))))
        )
        select p.id, (select coalesce(sum(substring(r from '\+(\d+)$')::integer), 0) from unnest(p.reasons) r)::integer,
               p.reasons, p.online
        from parts p
        order by 2 desc, p.id;
end
$$;
comment on function app.rank_mechanics(bigint, text, text, text, text, text, text) is
    'Every mechanic who may serve the request (never a deactivated one), best first, with the score of SPEC §8 '
    'and its reasons: online +50 (else seen within 30 min +30, 1 h +20, today +10), +15 per specialty the '
    'concern names, make specialist +30, 10+ years +20 (5-9 +10), same postal FSA +10 (else same city +5), '
    'rating 5.0 +20, 4.5+ +15, 4.0+ +10, 3.5+ +5. brand_specialist keeps the make''s specialists; in_person '
    'those with a workshop. A city or postal code given replaces the customer''s own. Raises UV008 (brand '
    'specialist without a make).';
grant execute on function app.rank_mechanics(bigint, text, text, text, text, text, text) to autodoctor_app;
