create or replace function app.list_mechanics(
    p_service_type text default null,
    p_request_type text default null,
    p_make text default null,
    p_q text default null
) returns table (
    id bigint, name text, type text, timezone text, online boolean, last_seen_at timestamptz,
    rating numeric, rating_count integer, years_experience smallint, headline text,
    specialties text[], brands text[], city text, province text, workshop_id bigint, workshop text
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    if p_service_type is not null and p_service_type not in ('online', 'in_person') then
        raise exception using errcode = 'UV001', column = 'service_type', message = 'service type is online or in_person';
    end if;
    if p_request_type is not null and p_request_type not in ('general', 'brand_specialist') then
        raise exception using errcode = 'UV001', column = 'request_type', message = 'request type is general or brand_specialist';
    end if;
    if p_request_type = 'brand_specialist' and nullif(btrim(p_make), '') is null then
        raise exception using errcode = 'UV008', column = 'make', message = 'a brand specialist request names the make';
    end if;
    return query
        select m.id, u.name, app.mechanic_type_of(m.workshop_id, m.account_type), m.timezone, m.currently_on_shift,
               m.last_seen_at, m.rating, m.rating_count, m.years_experience, m.headline, m.specialties, m.brands,
               m.city, m.province, m.workshop_id, w.name
        from app.mechanics m
        join app.users u on u.id = m.id
        left join app.workshops w on w.id = m.workshop_id
        where u.deactivated_at is null
          and (p_service_type is distinct from 'in_person' or m.workshop_id is not null)
          and (p_request_type is distinct from 'brand_specialist'
               or exists (select 1 from unnest(m.brands) b where lower(b) = lower(btrim(p_make))))
          and (nullif(btrim(p_q), '') is null
               or u.name ilike '%' || btrim(p_q) || '%'
               or m.headline ilike '%' || btrim(p_q) || '%'
               or exists (select 1 from unnest(m.specialties || m.brands) t where t ilike '%' || btrim(p_q) || '%'))
        order by m.currently_on_shift desc, m.rating desc nulls last, u.name;
end
$$;
comment on function app.list_mechanics(text, text, text, text) is
    'Mechanics customers may see (not deactivated ones), online first then by rating: in_person keeps those with a workshop, '
    'brand_specialist those who list the make, q matches name, headline, specialties or brands. Raises UV001 '
    '(service or request type), UV008 (brand specialist without a make).';
grant execute on function app.list_mechanics(text, text, text, text) to autodoctor_app;
