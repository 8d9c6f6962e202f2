create or replace function app.draft_book_another(p_actor bigint, p_flow text) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_draft app.booking_drafts;
begin
    perform app.require_role(p_actor, 'customer');
    perform app.draft_for_update(p_actor, p_flow);
    update app.booking_drafts d set another = true, carried = null, updated_at = app.app_now()
    where d.customer_id = p_actor and d.flow = p_flow
    returning * into v_draft;
    return app.draft_json(v_draft);
end
$$;
comment on function app.draft_book_another(bigint, text) is
    'The entry of Schedule: the customer books another appointment (the page of their upcoming ones is not '
    'shown again), and what Book Now carried over has been said (carried forgotten). Returns the whole draft. '
    'Raises UP001.';
grant execute on function app.draft_book_another(bigint, text) to autodoctor_app;
