create or replace function app.ledger_parties(p_customer bigint, p_session bigint)
returns table (customer_name text, mechanic_id bigint, mechanic_name text, workshop_id bigint, workshop_name text)
language sql stable
as $$
    -- a visit's workshop, or the mechanic's
    select (select u.name from app.users u where u.id = p_customer), s.mechanic_id, mu.name,
           coalesce(s.workshop_id, m.workshop_id), w.name
    from (select 1) one
    left join app.sessions s on s.id = p_session
    left join app.mechanics m on m.id = s.mechanic_id
    left join app.users mu on mu.id = s.mechanic_id
    left join app.workshops w on w.id = coalesce(s.workshop_id, m.workshop_id)
$$;
comment on function app.ledger_parties(bigint, bigint) is
    'Who a money row concerns, for admin_ledger: the customer''s name, and the session''s mechanic and workshop '
    '(a visit''s workshop, or the mechanic''s), when it has a session.';
