create or replace function app.admin_outbox_backlog(p_actor bigint)
returns table (pending bigint, due bigint, oldest_due_at timestamptz, oldest_due_age interval)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'admin');
    return query select * from app.outbox_backlog();
end
$$;
comment on function app.admin_outbox_backlog(bigint) is
    'The outbox''s backlog for the operations page: pending and due messages and the age of the oldest due one '
    '(outbox_backlog). Raises UP001.';
grant execute on function app.admin_outbox_backlog(bigint) to autodoctor_app;
