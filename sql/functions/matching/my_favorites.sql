create or replace function app.my_favorites(p_actor bigint)
returns table (mechanic_id bigint, name text, headline text, rating numeric, online boolean, workshop text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'customer');
    return query
        select m.id, u.name, m.headline, m.rating, m.currently_on_shift, w.name
        from app.favorites f
        join app.mechanics m on m.id = f.mechanic_id
        join app.users u on u.id = m.id
        left join app.workshops w on w.id = m.workshop_id
        where f.customer_id = p_actor and u.deactivated_at is null
        order by m.currently_on_shift desc, u.name;
end
$$;
comment on function app.my_favorites(bigint) is
    'The acting customer''s favorite mechanics (deactivated ones are left out until reactivated), online ones '
    'first. Raises UP001 for non-customers.';
grant execute on function app.my_favorites(bigint) to autodoctor_app;
