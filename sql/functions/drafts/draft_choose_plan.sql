create or replace function app.draft_choose_plan(p_actor bigint, p_flow text, p_plan text) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_draft app.booking_drafts;
begin
    perform app.require_role(p_actor, 'customer');
    perform app.plan_duration(p_plan);
    v_draft := app.draft_for_update(p_actor, p_flow);
    if v_draft.plan_code is distinct from p_plan then
        perform app.give_back_draft_hold(p_actor, v_draft.hold_id);  -- a hold is for one length
        v_draft.hold_id := null;
    end if;
    update app.booking_drafts d set plan_code = p_plan, hold_id = v_draft.hold_id, updated_at = app.app_now()
    where d.customer_id = p_actor and d.flow = p_flow
    returning * into v_draft;
    return app.draft_json(v_draft);
end
$$;
comment on function app.draft_choose_plan(bigint, text, text) is
    'The plan step of either wizard: a plan on sale. A changed answer gives back the hold (it was for the old '
    'plan''s length). Returns the whole draft. Raises UP001, UV003 (no such plan on sale).';
grant execute on function app.draft_choose_plan(bigint, text, text) to autodoctor_app;
