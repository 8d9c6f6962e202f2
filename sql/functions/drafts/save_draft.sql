create or replace function app.save_draft(p_actor bigint, p_flow text, p_data jsonb) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v app.booking_drafts;
begin
    perform app.require_role(p_actor, 'customer');
    if p_data is null or jsonb_typeof(p_data) <> 'object' then
        raise exception using errcode = 'UV001', column = 'data', message = 'a draft is a JSON object';
    end if;
    if not app.location_postal_code_is_valid(p_actor, p_data->>'postal_code') then
        raise exception using errcode = 'UV059', column = 'postal_code',
            message = format('%L is not a postal code', p_data->>'postal_code');
    end if;
    v := app.draft_with_answers(app.draft_for_update(p_actor, p_flow), p_data);
    update app.booking_drafts d set
        service_type = v.service_type, vehicle_id = v.vehicle_id, advice_only = v.advice_only, plan_code = v.plan_code,
        request_type = v.request_type, mechanic_id = v.mechanic_id, any_mechanic = v.any_mechanic, hold_id = v.hold_id,
        concern_category = v.concern_category, concern = v.concern, is_urgent = v.is_urgent,
        preparation_notes = v.preparation_notes, special_requests = v.special_requests, data = v.data,
        updated_at = app.app_now()
    where d.customer_id = p_actor and d.flow = p_flow;
    return app.draft_json(v);
end
$$;
comment on function app.save_draft(bigint, text, jsonb) is
    'Merges what the customer entered into their wizard draft (flow book or schedule), kept on the server '
    '(SPEC §3.1); a key given as null is removed. Typed answers go to their columns as draft_with_answers '
    'converts them (Book Now''s steps until they have functions of their own; the Schedule wizard''s choices '
    'use draft_choose_*). Returns the whole draft. Raises UP001, UV001, UV059 (a search location''s postal '
    'code not of the customer''s country), and booking_drafts_flow_check / booking_drafts_data_object.';
grant execute on function app.save_draft(bigint, text, jsonb) to autodoctor_app;
