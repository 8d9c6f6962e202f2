create or replace function app.my_draft(p_actor bigint, p_flow text) returns jsonb
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'customer');
    return coalesce((select app.draft_json(d) from app.booking_drafts d where d.customer_id = p_actor and d.flow = p_flow), '{}');
end
$$;
comment on function app.my_draft(bigint, text) is
    'The acting customer''s draft of a wizard (book or schedule), {} when none. Raises UP001.';
grant execute on function app.my_draft(bigint, text) to autodoctor_app;
