create or replace function app.save_draft(p_actor bigint, p_flow text, p_data jsonb) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_data jsonb;
begin
    perform app.require_role(p_actor, 'customer');
    if p_data is null or jsonb_typeof(p_data) <> 'object' then
        raise exception using errcode = 'UV001', column = 'data', message = 'a draft is a JSON object';
    end if;
    if not app.location_postal_code_is_valid(p_actor, p_data->>'postal_code') then
        raise exception using errcode = 'UV059', column = 'postal_code',
            message = format('%L is not a postal code', p_data->>'postal_code');
    end if;
    -- a key set to null is forgotten
    insert into app.booking_drafts as d (customer_id, flow, data, updated_at)
    values (p_actor, p_flow, jsonb_strip_nulls(p_data), app.app_now())
    on conflict (customer_id, flow) do update
        set data = jsonb_strip_nulls(d.data || p_data), updated_at = excluded.updated_at
    returning d.data into v_data;
    return v_data;
end
$$;
comment on function app.save_draft(bigint, text, jsonb) is
    'Merges what the customer entered into their wizard draft (flow book or schedule), kept on the server '
    '(SPEC §3.1); a key given as null is removed. Returns the whole draft. Raises UP001, UV001, UV059 (a search location''s postal code not of the '
    'customer''s country), and '
    'booking_drafts_flow_check / booking_drafts_data_object.';
grant execute on function app.save_draft(bigint, text, jsonb) to autodoctor_app;
