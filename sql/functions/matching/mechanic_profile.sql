create or replace function app.mechanic_profile(p_mechanic bigint, p_viewer bigint default null)
returns table (
    id bigint, name text, type text, timezone text, online boolean, last_seen_at timestamptz, rating numeric,
    rating_count integer, years_experience smallint, headline text, bio text, specialties text[], brands text[],
    city text, province text, workshop_id bigint, workshop text, workshop_city text, favorite boolean,
    completed_sessions integer
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    return query
        select m.id, u.name, app.mechanic_type_of(m.workshop_id, m.account_type), m.timezone, m.currently_on_shift,
               m.last_seen_at, m.rating, m.rating_count, m.years_experience, m.headline, m.bio, m.specialties, m.brands,
               m.city, m.province, m.workshop_id, w.name, w.city,
               exists (select 1 from app.favorites f where f.customer_id = p_viewer and f.mechanic_id = m.id),
               (select count(*) from app.sessions s where s.mechanic_id = m.id and s.status = 'completed')::integer
        from app.mechanics m
        join app.users u on u.id = m.id
        left join app.workshops w on w.id = m.workshop_id
        where m.id = p_mechanic and u.deactivated_at is null;
    if not found then
        raise exception using errcode = 'UN002', message = format('no mechanic %s', p_mechanic);
    end if;
end
$$;
comment on function app.mechanic_profile(bigint, bigint) is
    'A mechanic''s public profile: type, rating, experience, specialties, brands, workshop, whether they are '
    'online, how many sessions they completed, and whether the viewer has starred them. Raises UN002 (no such '
    'mechanic, or deactivated).';
grant execute on function app.mechanic_profile(bigint, bigint) to autodoctor_app;
