create or replace function app.tg_cancellation_policies__frozen() returns trigger
language plpgsql
as $$
begin
    raise exception using errcode = 'UR005',
        message = format('cancellation policy %s is a snapshot bookings were sold under: add a new version instead', old.version);
end
$$;
comment on function app.tg_cancellation_policies__frozen() is
    'Refuses (UR005) to change or delete a policy version: bookings keep the policy they were sold under.';

create or replace trigger tg_cancellation_policies__frozen
    before update or delete on app.cancellation_policies
    for each row execute function app.tg_cancellation_policies__frozen();
