create or replace function app.draft_with_answers(p_draft app.booking_drafts, p_answers jsonb) returns app.booking_drafts
language plpgsql stable
as $$
declare
    v app.booking_drafts := p_draft;
    a jsonb := coalesce(p_answers, '{}');
begin
    -- an answer that does not convert (of another type, or naming no row of this customer) is not kept
    if a ? 'service_type' then
        v.service_type := case when a->>'service_type' in ('online', 'in_person') then a->>'service_type' end;
    end if;
    if a ? 'advice_only' then
        v.advice_only := case when a->'advice_only' = 'true' then true end;
    end if;
    if a ? 'vehicle_id' then
        v.vehicle_id := (select x.id from app.vehicles x where x.customer_id = v.customer_id and x.id::text = a->>'vehicle_id');
    end if;
    if v.advice_only then
        v.vehicle_id := null;
    end if;
    if a ? 'plan' then
        v.plan_code := (select p.code from app.plans p where p.code = a->>'plan');
    end if;
    if a ? 'request_type' then
        v.request_type := case when a->>'request_type' in ('general', 'brand_specialist') then a->>'request_type' end;
    end if;
    if a ? 'any_mechanic' then
        v.any_mechanic := case when a->'any_mechanic' = 'true' then true end;
    end if;
    if a ? 'mechanic_id' then
        v.mechanic_id := (select m.id from app.mechanics m where m.id::text = a->>'mechanic_id');
    end if;
    if v.any_mechanic then
        v.mechanic_id := null;
    end if;
    if a ? 'hold_id' then
        v.hold_id := (select r.id from app.slot_reservations r where r.customer_id = v.customer_id and r.id::text = a->>'hold_id');
    end if;
    if a ? 'concern_category' then
        v.concern_category := (select c.code from app.concern_categories c where c.code = a->>'concern_category');
    end if;
    if a ? 'concern' then
        v.concern := left(a->>'concern', 4000);
    end if;
    if a ? 'is_urgent' then
        v.is_urgent := case when jsonb_typeof(a->'is_urgent') = 'boolean' then (a->'is_urgent')::boolean end;
    end if;
    if a ? 'preparation_notes' then
        v.preparation_notes := left(a->>'preparation_notes', 2000);
    end if;
    if a ? 'special_requests' then
        v.special_requests := left(a->>'special_requests', 2000);
    end if;
    -- what no rule concerns stays in data; the hold's start and mechanic are read from the hold
    v.data := jsonb_strip_nulls((coalesce(v.data, '{}') || a) - array[
        'service_type', 'vehicle_id', 'advice_only', 'plan', 'request_type', 'mechanic_id', 'any_mechanic', 'hold_id',
        'hold_start', 'hold_mechanic_id', 'concern_category', 'concern', 'is_urgent', 'preparation_notes',
        'special_requests']);
    return v;
end
$$;
comment on function app.draft_with_answers(app.booking_drafts, jsonb) is
    'A draft with answers given as JSON under the wizards'' keys (a key given null forgets its answer): each '
    'typed answer goes to its column when it converts (a vehicle or hold of the draft''s customer, a plan, '
    'mechanic or concern category that exists) and is dropped when it does not; other keys stay in data.';
