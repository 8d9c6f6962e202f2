create or replace function app.draft_choose_location(
    p_actor bigint,
    p_flow text,
    p_city text,
    p_postal_code text,
    p_tab text,
    p_located boolean default null
) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_draft app.booking_drafts;
begin
    perform app.require_role(p_actor, 'customer');
    if not app.location_postal_code_is_valid(p_actor, p_postal_code) then
        raise exception using errcode = 'UV059', column = 'postal_code', message = format('%L is not a postal code', p_postal_code);
    end if;
    perform app.draft_for_update(p_actor, p_flow);
    -- kept even when empty: an empty location searched from is not the profile's
    update app.booking_drafts d
    set city = btrim(coalesce(p_city, ''), E' \t\n\r\f\x0b'),  -- as Python's str.strip
        postal_code = btrim(coalesce(p_postal_code, ''), E' \t\n\r\f\x0b'),
        search_tab = coalesce(nullif(p_tab, ''), 'all'), located = coalesce(p_located, d.located),
        updated_at = app.app_now()
    where d.customer_id = p_actor and d.flow = p_flow
    returning * into v_draft;
    return app.draft_json(v_draft);
end
$$;
comment on function app.draft_choose_location(bigint, text, text, text, text, boolean) is
    'The mechanic step of Book Now: where the search is made from (city, postal code, both kept trimmed, even '
    'empty) and its tab (all, brand or favorites); p_located true when the search found a mechanic online, '
    'which answers the step (null leaves that as it was). Returns the whole draft. Raises UP001, UV059 (a postal '
    'code not of the customer''s country), booking_drafts_city_length / _postal_code_length / _search_tab_check.';
grant execute on function app.draft_choose_location(bigint, text, text, text, text, boolean) to autodoctor_app;
