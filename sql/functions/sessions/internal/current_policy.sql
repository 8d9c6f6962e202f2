create or replace function app.current_policy() returns integer
language sql stable
as $$
    select p.version from app.cancellation_policies p
    where p.effective_from <= app.app_now()
    order by p.effective_from desc
    limit 1
$$;
comment on function app.current_policy() is
    'The version of the cancellation policy in force now: what a booking made now is sold under.';
