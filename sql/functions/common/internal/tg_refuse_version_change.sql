create or replace function app.tg_refuse_version_change() returns trigger
language plpgsql
as $$
begin
    -- TG_ARGV[0] names the row, with %s for its version: each table says why its versions stay as they are
    raise exception using errcode = 'UR005',
        message = format(tg_argv[0] || ': add a new version instead', old.version);
end
$$;
comment on function app.tg_refuse_version_change() is
    'Refuses (UR005) to change or delete a row of a versioned table whose rows are kept as they were: the '
    'message names the row with the trigger''s argument. Used by tg_cancellation_policies__frozen and '
    'tg_waiver_versions__frozen.';

create or replace trigger tg_cancellation_policies__frozen
    before update or delete on app.cancellation_policies
    for each row execute function app.tg_refuse_version_change('cancellation policy %s is a snapshot bookings were sold under');
comment on trigger tg_cancellation_policies__frozen on app.cancellation_policies is
    'A policy version never changes: bookings keep the policy they were sold under.';

create or replace trigger tg_waiver_versions__frozen
    before update or delete on app.waiver_versions
    for each row execute function app.tg_refuse_version_change('waiver version %s has been published');
comment on trigger tg_waiver_versions__frozen on app.waiver_versions is
    'A published waiver text never changes: signatures point at the words they signed.';
