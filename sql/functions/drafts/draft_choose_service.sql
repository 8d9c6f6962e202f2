create or replace function app.draft_choose_service(p_actor bigint, p_flow text, p_service_type text) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_draft app.booking_drafts;
begin
    perform app.require_role(p_actor, 'customer');
    if p_service_type is null or p_service_type not in ('online', 'in_person') then
        raise exception using errcode = 'UV001', column = 'service_type', message = 'service type is online or in_person';
    end if;
    v_draft := app.draft_for_update(p_actor, p_flow);
    if v_draft.service_type is distinct from p_service_type then
        -- the mechanics who may serve it, the hold and the price all depend on it
        perform app.give_back_draft_hold(p_actor, v_draft.hold_id);
        update app.booking_drafts d
        set service_type = p_service_type, request_type = null, mechanic_id = null, any_mechanic = null, hold_id = null,
            updated_at = app.app_now()
        where d.customer_id = p_actor and d.flow = p_flow
        returning * into v_draft;
    end if;
    return app.draft_json(v_draft);
end
$$;
comment on function app.draft_choose_service(bigint, text, text) is
    'Step 1 of Schedule: online or in person. A changed answer forgets the mechanic chosen and gives back the '
    'hold. Returns the whole draft. Raises UP001, UV001 (service_type).';
grant execute on function app.draft_choose_service(bigint, text, text) to autodoctor_app;
