create or replace function app.tg_waiver_versions__frozen() returns trigger
language plpgsql
as $$
begin
    raise exception using errcode = 'UR005',
        message = format('waiver version %s has been published: add a new version instead', old.version);
end
$$;
comment on function app.tg_waiver_versions__frozen() is
    'Refuses (UR005) to change or delete a published waiver text: signatures point at the words they signed.';

create or replace trigger tg_waiver_versions__frozen
    before update or delete on app.waiver_versions
    for each row execute function app.tg_waiver_versions__frozen();
