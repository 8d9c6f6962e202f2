create or replace function app.draft_choose_vehicle(p_actor bigint, p_flow text, p_vehicle bigint) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_draft app.booking_drafts;
    v_changed boolean;
begin
    perform app.require_role(p_actor, 'customer');
    if p_vehicle is not null and not exists (select 1 from app.vehicles v where v.id = p_vehicle and v.customer_id = p_actor) then
        raise exception using errcode = 'UN001', column = 'vehicle_id',
            message = format('vehicle %s is not one of customer %s', p_vehicle, p_actor);
    end if;
    v_draft := app.draft_for_update(p_actor, p_flow);
    v_changed := v_draft.vehicle_id is distinct from p_vehicle or coalesce(v_draft.advice_only, false) <> (p_vehicle is null);
    if v_changed and v_draft.request_type = 'brand_specialist' then
        -- a brand specialist was chosen for the old vehicle's make
        perform app.give_back_draft_hold(p_actor, v_draft.hold_id);
        v_draft.request_type := null;
        v_draft.mechanic_id := null;
        v_draft.any_mechanic := null;
        v_draft.hold_id := null;
    end if;
    update app.booking_drafts d
    set vehicle_id = p_vehicle, advice_only = case when p_vehicle is null then true end,
        request_type = v_draft.request_type, mechanic_id = v_draft.mechanic_id, any_mechanic = v_draft.any_mechanic,
        hold_id = v_draft.hold_id,
        -- Book Now's brand tab and ranking depend on the make: the search is done again
        located = case when not v_changed then d.located end, search_tab = case when not v_changed then d.search_tab end,
        updated_at = app.app_now()
    where d.customer_id = p_actor and d.flow = p_flow
    returning * into v_draft;
    return app.draft_json(v_draft);
end
$$;
comment on function app.draft_choose_vehicle(bigint, text, bigint) is
    'The vehicle step of either wizard: one of the customer''s vehicles, or null for Just Advice. A changed '
    'answer forgets Book Now''s search, and a brand specialist chosen for the old make with the hold taken '
    'with them (given back). Returns the whole draft. Raises UP001, UN001 (not their vehicle).';
grant execute on function app.draft_choose_vehicle(bigint, text, bigint) to autodoctor_app;
