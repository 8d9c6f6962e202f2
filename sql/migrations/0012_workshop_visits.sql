-- In-person visits at a workshop (SPEC §11): the workshop may answer a visit with another time. The customer
-- accepts (the visit moves there and is confirmed) or declines; an open proposal is withdrawn when the workshop
-- makes a new one. Its mechanic is named, so that accepting claims the time the workshop checked.
create table app.visit_counter_offers (
    id bigint generated always as identity primary key,
    session_id bigint not null,
    proposed_start timestamptz not null,
    mechanic_id bigint not null,
    proposed_by bigint not null,
    note text,
    status text not null default 'pending',
    created_at timestamptz not null,
    answered_at timestamptz,
    constraint visit_counter_offers_session_fkey foreign key (session_id) references app.sessions (id) on delete cascade,
    constraint visit_counter_offers_mechanic_fkey foreign key (mechanic_id) references app.mechanics (id) on delete restrict,
    constraint visit_counter_offers_proposed_by_fkey foreign key (proposed_by) references app.users (id) on delete restrict,
    constraint visit_counter_offers_status_check check (status in ('pending', 'accepted', 'declined', 'withdrawn')),
    constraint visit_counter_offers_answered_shape check ((status = 'pending') = (answered_at is null)),
    constraint visit_counter_offers_note_length check (note is null or length(note) <= 500)
);
-- at most one open proposal per visit
create unique index visit_counter_offers_one_pending on app.visit_counter_offers (session_id) where status = 'pending';
