create or replace function app.draft_for_update(p_actor bigint, p_flow text) returns app.booking_drafts
language plpgsql volatile
as $$
declare
    v_draft app.booking_drafts;
begin
    insert into app.booking_drafts (customer_id, flow, updated_at) values (p_actor, p_flow, app.app_now())
    on conflict (customer_id, flow) do nothing;
    select * into v_draft from app.booking_drafts d where d.customer_id = p_actor and d.flow = p_flow for update;
    return v_draft;
end
$$;
comment on function app.draft_for_update(bigint, text) is
    'The customer''s draft of a wizard, created empty when there is none, locked until the end of the '
    'transaction (a step reads the answers it depends on and changes them at once). Raises '
    'booking_drafts_flow_check.';
