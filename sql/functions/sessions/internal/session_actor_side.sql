create or replace function app.session_actor_side(p_session app.sessions, p_actor bigint) returns text
language sql stable
as $$
    select case
        when p_session.customer_id = p_actor then 'customer'
        when p_session.mechanic_id = p_actor then 'mechanic'
        when exists (select 1 from app.workshop_admins a
                     where a.user_id = p_actor
                       and a.workshop_id in (p_session.workshop_id,
                                             (select m.workshop_id from app.mechanics m where m.id = p_session.mechanic_id)))
            then 'workshop'
        when exists (select 1 from app.users u where u.id = p_actor and u.role = 'admin') then 'admin'
    end
$$;
comment on function app.session_actor_side(app.sessions, bigint) is
    'Which side of a session a user is on: its customer, its mechanic, an admin of its workshop (or of its '
    'mechanic''s), a platform admin; null when the session is none of theirs.';
