-- A wizard's draft in typed columns (issue 18). booking_drafts.data was a free JSON bag whose keys Python chose,
-- so the wizards' rules lived in Python, some twice. The answers are now columns: the vehicle, plan, mechanic and
-- hold are foreign keys, the concern fields are checked here, and one function per step (sql/functions/drafts/)
-- validates an answer and forgets the later answers that depended on the one it changed. What no rule concerns
-- stays in data: Book Now's search (city, postal_code, tab, located), the files' ids (attachments), the reminders,
-- and the markers another, carried and from_session.

-- The concern categories each wizard offers, once (both forms read them, and the draft refers to them).
create table app.concern_categories (
    code text not null,
    flow text not null,
    label text not null,
    position smallint not null,
    constraint concern_categories_pkey primary key (code),
    constraint concern_categories_flow_check check (flow in ('book', 'schedule')),
    constraint concern_categories_position_unique unique (flow, position)
);
comment on table app.concern_categories is
    'A concern category a wizard offers (flow book or schedule), with its label and place in the list.';
insert into app.concern_categories (code, flow, label, position) values
    ('engine', 'book', 'Engine', 1),
    ('brakes', 'book', 'Brakes', 2),
    ('electrical', 'book', 'Electrical', 3),
    ('transmission', 'book', 'Transmission', 4),
    ('suspension', 'book', 'Suspension and steering', 5),
    ('noise', 'book', 'A strange noise', 6),
    ('warning_light', 'book', 'A warning light', 7),
    ('other', 'book', 'Something else', 8),
    ('diagnostic', 'schedule', 'Diagnostic', 1),
    ('repair', 'schedule', 'Repair', 2),
    ('maintenance', 'schedule', 'Maintenance', 3),
    ('inspection', 'schedule', 'Inspection', 4),
    ('consultation', 'schedule', 'Consultation', 5);

alter table app.booking_drafts
    add column service_type text,
    add column vehicle_id bigint,
    add column advice_only boolean,
    add column plan_code text,
    add column request_type text,
    add column mechanic_id bigint,
    add column any_mechanic boolean,
    add column hold_id bigint,
    add column concern_category text,
    add column concern text,
    add column is_urgent boolean,
    add column preparation_notes text,
    add column special_requests text,
    add constraint booking_drafts_service_type_check check (service_type in ('online', 'in_person')),
    add constraint booking_drafts_vehicle_fkey foreign key (vehicle_id) references app.vehicles (id) on delete set null,
    add constraint booking_drafts_plan_fkey foreign key (plan_code) references app.plans (code) on delete set null,
    add constraint booking_drafts_request_type_check check (request_type in ('general', 'brand_specialist')),
    add constraint booking_drafts_mechanic_fkey foreign key (mechanic_id) references app.mechanics (id) on delete set null,
    add constraint booking_drafts_hold_fkey foreign key (hold_id) references app.slot_reservations (id) on delete set null,
    add constraint booking_drafts_concern_category_fkey foreign key (concern_category)
        references app.concern_categories (code) on delete set null,
    add constraint booking_drafts_concern_length check (length(concern) <= 4000),
    add constraint booking_drafts_preparation_notes_length check (length(preparation_notes) <= 2000),
    add constraint booking_drafts_special_requests_length check (length(special_requests) <= 2000),
    -- Just Advice has no vehicle; one mechanic by name or any available one, not both
    add constraint booking_drafts_advice_has_no_vehicle check (not (advice_only and vehicle_id is not null)),
    add constraint booking_drafts_one_mechanic_choice check (not (any_mechanic and mechanic_id is not null));

-- Drafts live a day at most: each answer that converts (of the right type, pointing at a row of this customer
-- where it names one) moves into its column; one that does not is dropped, and the wizard asks for it again.
-- hold_start and hold_mechanic_id are read from the hold itself from now on.
update app.booking_drafts d set
    service_type = case when d.data->>'service_type' in ('online', 'in_person') then d.data->>'service_type' end,
    vehicle_id = case when d.data->'advice_only' is distinct from 'true' then
        (select v.id from app.vehicles v where v.customer_id = d.customer_id and v.id::text = d.data->>'vehicle_id') end,
    advice_only = case when d.data->'advice_only' = 'true' then true end,
    plan_code = (select p.code from app.plans p where p.code = d.data->>'plan'),
    request_type = case when d.data->>'request_type' in ('general', 'brand_specialist') then d.data->>'request_type' end,
    mechanic_id = case when d.data->'any_mechanic' is distinct from 'true' then
        (select m.id from app.mechanics m where m.id::text = d.data->>'mechanic_id') end,
    any_mechanic = case when d.data->'any_mechanic' = 'true' then true end,
    hold_id = (select r.id from app.slot_reservations r where r.customer_id = d.customer_id and r.id::text = d.data->>'hold_id'),
    concern_category = (select c.code from app.concern_categories c where c.code = d.data->>'concern_category'),
    concern = left(d.data->>'concern', 4000),
    is_urgent = case when jsonb_typeof(d.data->'is_urgent') = 'boolean' then (d.data->'is_urgent')::boolean end,
    preparation_notes = left(d.data->>'preparation_notes', 2000),
    special_requests = left(d.data->>'special_requests', 2000),
    data = d.data - array['service_type', 'vehicle_id', 'advice_only', 'plan', 'request_type', 'mechanic_id',
                          'any_mechanic', 'hold_id', 'hold_start', 'hold_mechanic_id', 'concern_category', 'concern',
                          'is_urgent', 'preparation_notes', 'special_requests'];
