create or replace function app.draft_choose_time(p_actor bigint, p_flow text, p_hold bigint) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_draft app.booking_drafts;
    v_hold app.slot_reservations;
begin
    perform app.require_role(p_actor, 'customer');
    v_draft := app.draft_for_update(p_actor, p_flow);
    if p_hold is not null then
        select * into v_hold from app.slot_reservations r where r.id = p_hold and r.customer_id = p_actor;
        if not found then
            raise exception using errcode = 'UN001', column = 'hold_id',
                message = format('no hold %s of customer %s', p_hold, p_actor);
        end if;
        if v_hold.status <> 'reserved' or v_hold.expires_at <= app.app_now() then
            raise exception using errcode = 'UR003', column = 'hold_id', message = format('hold %s has expired', p_hold);
        end if;
        -- the time held is for what the draft chose: its plan's length, its service, its mechanic (any, or that one)
        if (v_hold.plan_code, v_hold.service_type) is distinct from (v_draft.plan_code, v_draft.service_type)
           or (v_draft.mechanic_id is not null and v_hold.mechanic_id <> v_draft.mechanic_id)
           or (v_draft.mechanic_id is null and not coalesce(v_draft.any_mechanic, false)) then
            raise exception using errcode = 'UV011', column = 'hold_id',
                message = format('hold %s is not for the plan, service and mechanic chosen', p_hold);
        end if;
    end if;
    if v_draft.hold_id is distinct from p_hold then
        perform app.give_back_draft_hold(p_actor, v_draft.hold_id);  -- the time it held is not the one chosen now
    end if;
    update app.booking_drafts d set hold_id = p_hold, updated_at = app.app_now()
    where d.customer_id = p_actor and d.flow = p_flow
    returning * into v_draft;
    return app.draft_json(v_draft);
end
$$;
comment on function app.draft_choose_time(bigint, text, bigint) is
    'The time step of Schedule: a live hold of the acting customer''s (reserve_slot, reserve_any_slot) for the '
    'draft''s plan, service type and mechanic, or null to forget the time. The hold it replaces is given back. '
    'Returns the whole draft. Raises UP001, UN001 (not their hold), UR003 (the hold lapsed), UV011 (a hold for '
    'another plan, service or mechanic).';
grant execute on function app.draft_choose_time(bigint, text, bigint) to autodoctor_app;
