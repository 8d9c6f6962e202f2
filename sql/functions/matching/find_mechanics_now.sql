create or replace function app.find_mechanics_now(
    p_actor bigint,
    p_tab text default 'all',
    p_make text default null,
    p_concern text default null,
    p_city text default null,
    p_postal_code text default null
) returns table (
    mechanic_id bigint, name text, headline text, rating numeric, rating_count integer, years_experience smallint,
    specialties text[], brands text[], workshop text, favorite boolean, score integer, reasons text[]
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'customer');
    if p_tab is null or p_tab not in ('all', 'brand', 'favorites') then
        raise exception using errcode = 'UV001', column = 'tab', message = 'tab is all, brand or favorites';
    end if;
    if not app.location_postal_code_is_valid(p_actor, p_postal_code) then
        raise exception using errcode = 'UV059', column = 'postal_code', message = format('%L is not a postal code', p_postal_code);
    end if;
    return query
        select r.mechanic_id, u.name, m.headline, m.rating, m.rating_count, m.years_experience, m.specialties, m.brands,
               w.name, f.mechanic_id is not null, r.score, r.reasons
        from app.rank_mechanics(p_actor, p_make, p_concern,
                                case when p_tab = 'brand' then 'brand_specialist' else 'general' end, 'online',
                                p_city, p_postal_code) r
        join app.mechanics m on m.id = r.mechanic_id
        join app.users u on u.id = m.id
        left join app.workshops w on w.id = m.workshop_id
        left join app.favorites f on f.customer_id = p_actor and f.mechanic_id = m.id
        where r.online and (p_tab <> 'favorites' or f.mechanic_id is not null)
        order by r.score desc, r.mechanic_id;
end
$$;
comment on function app.find_mechanics_now(bigint, text, text, text, text, text) is
    'Book Now''s search (SPEC §3.1): the mechanics online now, ranked by the matching score with its '
    'reasons; tab all, brand (specialists of the make) or favorites; the location given replaces the '
    'profile''s. Raises UP001, UV001 (tab), UV059 (a postal code of another shape than the customer''s '
    'country''s), UV008 (brand tab without a make).';
grant execute on function app.find_mechanics_now(bigint, text, text, text, text, text) to autodoctor_app;
