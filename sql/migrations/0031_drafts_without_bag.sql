-- The wizards' drafts without their JSON bag (issue 18). 0030 gave the answers a rule concerns typed columns; what
-- was left in booking_drafts.data (Book Now's search, the reminders, the markers and the files' ids) gets columns
-- too, each written by one step function (sql/functions/drafts/), and save_draft, which merged any keys Python
-- chose, goes. The files of a draft point at it (attachments.draft_flow) instead of being listed in it.

-- the compatibility trigger and the merge it shared with save_draft: visit_from_session writes columns now
drop trigger if exists tg_booking_drafts__answers_in_columns on app.booking_drafts;
drop function if exists app.tg_booking_drafts__answers_in_columns();
drop function if exists app.save_draft(bigint, text, jsonb);
drop function if exists app.draft_with_answers(app.booking_drafts, jsonb);

alter table app.booking_drafts
    add column city text,
    add column postal_code text,
    add column search_tab text,
    add column located boolean,
    add column reminders text[],
    add column another boolean,
    add column carried boolean,
    add column from_session_id bigint,
    add constraint booking_drafts_city_length check (length(city) <= 80),
    add constraint booking_drafts_postal_code_length check (length(postal_code) <= 10),
    add constraint booking_drafts_search_tab_check check (search_tab in ('all', 'brand', 'favorites')),
    add constraint booking_drafts_reminders_check check (reminders <@ array['24h', '1h', '15min']),
    add constraint booking_drafts_from_session_fkey foreign key (from_session_id)
        references app.sessions (id) on delete set null;
comment on column app.booking_drafts.located is
    'Book Now: the last Continue found a mechanic online from the search kept in city, postal_code and search_tab.';
comment on column app.booking_drafts.another is
    'Schedule: the customer chose to book another (the entry page showing their upcoming appointments is passed).';
comment on column app.booking_drafts.carried is
    'Schedule: carried from Book Now (schedule_instead), until the wizard has said so once.';

-- A file uploaded in a wizard belongs to that wizard's draft until a session takes it; a draft forgotten leaves
-- its files in none, and forget_stale_drafts deletes them.
alter table app.attachments
    add column draft_flow text,
    add constraint attachments_draft_fkey foreign key (customer_id, draft_flow)
        references app.booking_drafts (customer_id, flow) on delete set null (draft_flow);
create index attachments_draft_idx on app.attachments (customer_id, draft_flow) where draft_flow is not null;

-- Drafts live a day at most: what converts moves into its column, what does not is dropped (the wizard asks again).
update app.attachments a set draft_flow = d.flow
from app.booking_drafts d
where d.customer_id = a.customer_id and a.session_id is null
  and jsonb_typeof(d.data->'attachments') = 'array' and d.data->'attachments' @> to_jsonb(a.id);
update app.booking_drafts d set
    city = left(d.data->>'city', 80),
    postal_code = left(d.data->>'postal_code', 10),
    search_tab = case when d.data->>'tab' in ('all', 'brand', 'favorites') then d.data->>'tab' end,
    located = case when d.data->'located' = 'true' then true end,
    reminders = case when jsonb_typeof(d.data->'reminders') = 'array' then array(
        select r from jsonb_array_elements_text(d.data->'reminders') r where r in ('24h', '1h', '15min')) end,
    another = case when d.data->'another' = 'true' then true end,
    carried = case when d.data->'carried' = 'true' then true end,
    from_session_id = (select s.id from app.sessions s
                       where s.customer_id = d.customer_id and s.id::text = d.data->>'from_session');

alter table app.booking_drafts drop column data;
comment on table app.booking_drafts is
    'What a customer has entered so far in one booking wizard, kept on the server: one column per answer, each '
    'written by its step function.';
