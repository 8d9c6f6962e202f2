create or replace function app.my_counter_offer(p_actor bigint, p_session bigint)
returns table (id bigint, session_id bigint, proposed_start timestamptz, proposed_end timestamptz, note text,
               mechanic_name text, workshop_name text, workshop_timezone text, created_at timestamptz)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'customer');
    if not exists (select 1 from app.sessions s where s.id = p_session and s.customer_id = p_actor) then
        raise exception using errcode = 'UN001', message = format('session %s is not one of user %s', p_session, p_actor);
    end if;
    return query
        select o.id, o.session_id, o.proposed_start, o.proposed_start + make_interval(mins => s.duration_minutes),
               o.note, u.name, w.name, w.timezone, o.created_at
        from app.visit_counter_offers o
        join app.sessions s on s.id = o.session_id
        join app.workshops w on w.id = s.workshop_id
        join app.users u on u.id = o.mechanic_id
        where o.session_id = p_session and o.status = 'pending';
end
$$;
comment on function app.my_counter_offer(bigint, bigint) is
    'The other time the workshop proposed for the acting customer''s in-person visit, while it waits for their '
    'answer (SPEC §11; answer_counter_offer): the time, the mechanic it was checked with and the workshop''s '
    'note. No row when there is none. Raises UP001, UN001 (not their session).';
grant execute on function app.my_counter_offer(bigint, bigint) to autodoctor_app;
