create or replace function app.offline_mechanics(p_actor bigint)
returns table (mechanic_id bigint, name text, headline text, rating numeric, rating_count integer,
               specialties text[], workshop text, last_seen_at timestamptz, favorite boolean)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'customer');
    return query
        select m.id, u.name, m.headline, m.rating, m.rating_count, m.specialties, w.name, m.last_seen_at,
               f.mechanic_id is not null
        from app.mechanics m
        join app.users u on u.id = m.id
        left join app.workshops w on w.id = m.workshop_id
        left join app.favorites f on f.customer_id = p_actor and f.mechanic_id = m.id
        where not m.currently_on_shift and u.deactivated_at is null
        order by f.mechanic_id is not null desc, m.rating desc nulls last, u.name;
end
$$;
comment on function app.offline_mechanics(bigint) is
    'Mechanics not online now (deactivated ones never), the acting customer''s favorites first, then by rating: Book Now''s '
    'view-only list when nobody is online (SPEC §3.1). Raises UP001.';
grant execute on function app.offline_mechanics(bigint) to autodoctor_app;
