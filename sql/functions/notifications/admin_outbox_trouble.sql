create or replace function app.admin_outbox_trouble(p_actor bigint, p_limit integer default 200)
returns table (id bigint, created_at timestamptz, template text, channel text, status text, attempts integer,
               next_attempt_at timestamptz, last_error text, recipient text, session_id bigint)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'admin');
    return query
        select o.id, o.created_at, o.template, o.channel, o.status, o.attempts, o.next_attempt_at, o.last_error,
               u.name || ' <' || u.email || '>', o.session_id
        from app.outbox o join app.users u on u.id = o.user_id
        where o.status = 'failed' or (o.status = 'pending' and o.attempts > 0)
        order by o.created_at desc
        limit least(greatest(coalesce(p_limit, 200), 1), 1000);
end
$$;
comment on function app.admin_outbox_trouble(bigint, integer) is
    'Notifications that did not go out at the first try: failed ones and those waiting for another attempt, '
    'newest first, with the last error and the recipient. Raises UP001.';
grant execute on function app.admin_outbox_trouble(bigint, integer) to autodoctor_app;
