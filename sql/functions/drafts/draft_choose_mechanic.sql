create or replace function app.draft_choose_mechanic(p_actor bigint, p_flow text, p_mechanic bigint,
                                                     p_brand boolean default false) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_draft app.booking_drafts;
    v_request_type text;
begin
    perform app.require_role(p_actor, 'customer');
    v_draft := app.draft_for_update(p_actor, p_flow);
    if p_mechanic is not null
       and not exists (select 1 from app.list_mechanics(v_draft.service_type) m where m.id = p_mechanic) then
        raise exception using errcode = 'UN002', column = 'mechanic_id',
            message = format('no mechanic %s offering %s sessions', p_mechanic, v_draft.service_type);
    end if;
    -- a brand specialist can be asked for when there is a make: the vehicle's, unless Just Advice
    v_request_type := case when p_brand and not coalesce(v_draft.advice_only, false) and exists (
        select 1 from app.vehicles v where v.id = v_draft.vehicle_id and v.customer_id = p_actor and v.make is not null)
        then 'brand_specialist' else 'general' end;
    if (coalesce(v_draft.request_type, 'general'), v_draft.mechanic_id, coalesce(v_draft.any_mechanic, false))
       is distinct from (v_request_type, p_mechanic, p_mechanic is null) then
        perform app.give_back_draft_hold(p_actor, v_draft.hold_id);  -- the time was held with another mechanic
        update app.booking_drafts d
        set request_type = v_request_type, mechanic_id = p_mechanic,
            any_mechanic = case when p_mechanic is null then true end, hold_id = null, updated_at = app.app_now()
        where d.customer_id = p_actor and d.flow = p_flow
        returning * into v_draft;
    end if;
    return app.draft_json(v_draft);
end
$$;
comment on function app.draft_choose_mechanic(bigint, text, bigint, boolean) is
    'Step 4 of Schedule: a mechanic offering the draft''s service type, or null for any available mechanic; '
    'p_brand asks for a brand specialist in the vehicle''s make (general without a vehicle). A changed answer '
    'gives back the hold. Returns the whole draft. Raises UP001, UN002 (no such mechanic for that service).';
grant execute on function app.draft_choose_mechanic(bigint, text, bigint, boolean) to autodoctor_app;
