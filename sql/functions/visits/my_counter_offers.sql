create or replace function app.my_counter_offers(p_actor bigint)
returns table (id bigint, session_id bigint, proposed_start timestamptz, workshop_name text, created_at timestamptz)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'customer');
    return query
        select o.id, o.session_id, o.proposed_start, w.name, o.created_at
        from app.visit_counter_offers o
        join app.sessions s on s.id = o.session_id
        join app.workshops w on w.id = s.workshop_id
        where s.customer_id = p_actor and o.status = 'pending'
        order by o.created_at, o.id;
end
$$;
comment on function app.my_counter_offers(bigint) is
    'Every other time a workshop proposed for one of the acting customer''s in-person visits that still waits '
    'for their answer (SPEC §11), oldest first: what the dashboard points them to (my_counter_offer has the '
    'details of one, answer_counter_offer answers it). Raises UP001.';
grant execute on function app.my_counter_offers(bigint) to autodoctor_app;
