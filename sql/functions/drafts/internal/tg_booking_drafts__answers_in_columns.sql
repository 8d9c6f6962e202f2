create or replace function app.tg_booking_drafts__answers_in_columns() returns trigger
language plpgsql
as $$
begin
    return app.draft_with_answers(new, new.data);
end
$$;
comment on function app.tg_booking_drafts__answers_in_columns() is
    'A draft inserted with its answers in data (visit_from_session writes one so) keeps them in their columns.';

create or replace trigger tg_booking_drafts__answers_in_columns
    before insert on app.booking_drafts
    for each row when (new.data <> '{}')
    execute function app.tg_booking_drafts__answers_in_columns();
