create or replace function app.draft_json(p_draft app.booking_drafts) returns jsonb
language sql stable
as $$
    select jsonb_strip_nulls(jsonb_build_object(
        'service_type', p_draft.service_type, 'vehicle_id', p_draft.vehicle_id,
        'advice_only', case when p_draft.advice_only then true end, 'plan', p_draft.plan_code,
        'request_type', p_draft.request_type, 'mechanic_id', p_draft.mechanic_id,
        'any_mechanic', case when p_draft.any_mechanic then true end,
        'hold_id', r.id, 'hold_mechanic_id', r.mechanic_id,
        'hold_start', to_char(r.starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
        'concern_category', p_draft.concern_category, 'concern', p_draft.concern, 'is_urgent', p_draft.is_urgent,
        'preparation_notes', p_draft.preparation_notes, 'special_requests', p_draft.special_requests,
        'city', p_draft.city, 'postal_code', p_draft.postal_code, 'tab', p_draft.search_tab,
        'located', case when p_draft.located then true end,
        'attachments', (select jsonb_agg(a.id order by a.id) from app.attachments a
                        where a.customer_id = p_draft.customer_id and a.draft_flow = p_draft.flow
                          and a.session_id is null),
        'reminders', to_jsonb(p_draft.reminders),
        'another', case when p_draft.another then true end, 'carried', case when p_draft.carried then true end,
        'from_session', p_draft.from_session_id))
    from (select 1) one
    left join app.slot_reservations r on r.id = p_draft.hold_id
$$;
comment on function app.draft_json(app.booking_drafts) is
    'A draft as the wizards read it: its answers under the keys plan, vehicle_id, hold_id, tab, attachments …, '
    'the hold''s start and mechanic read from the hold and the files'' ids from the files of the draft; an answer '
    'not given is no key.';
