create or replace function app.list_mechanics_near(
    p_actor bigint,
    p_service_type text default null,
    p_request_type text default null,
    p_make text default null,
    p_q text default null
) returns table (
    id bigint, name text, type text, timezone text, online boolean, last_seen_at timestamptz,
    rating numeric, rating_count integer, years_experience smallint, headline text,
    specialties text[], brands text[], city text, province text, workshop_id bigint, workshop text,
    distance_km integer
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_postal_code text;
    v_city text;
begin
    perform app.require_role(p_actor, 'customer');
    select c.postal_code, lower(c.city) into v_postal_code, v_city from app.customers c where c.id = p_actor;
    return query
        select l.id, l.name, l.type, l.timezone, l.online, l.last_seen_at, l.rating, l.rating_count,
               l.years_experience, l.headline, l.specialties, l.brands, l.city, l.province, l.workshop_id, l.workshop,
               d.km
        from app.list_mechanics(p_service_type, p_request_type, p_make, p_q) with ordinality as l
        left join app.workshops w on w.id = l.workshop_id
        cross join lateral (select app.postal_distance_km(v_postal_code, w.postal_code) as km) d
        -- in person, the nearest workshop first (the same city before others of its district); online, where
        -- the mechanic is does not matter and list_mechanics' order stands
        order by case when p_service_type = 'in_person' then d.km end nulls last,
                 case when p_service_type = 'in_person' then lower(w.city) is distinct from v_city end,
                 l.ordinality;
end
$$;
comment on function app.list_mechanics_near(bigint, text, text, text, text) is
    'list_mechanics for the acting customer, with how far each mechanic''s workshop is from the postal code of '
    'their profile (postal_distance_km; null without a workshop or a Canadian postal code): for in_person, '
    'nearest first, the customer''s own city first among equals, then list_mechanics'' order. Raises UP001 and '
    'what list_mechanics raises (UV001, UV008).';
grant execute on function app.list_mechanics_near(bigint, text, text, text, text) to autodoctor_app;
