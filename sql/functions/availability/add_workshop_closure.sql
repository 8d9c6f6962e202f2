create or replace function app.add_workshop_closure(
    p_actor bigint,
    p_workshop_id bigint,
    p_closed_on date,
    p_reason text default null
) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_workshop_admin(p_actor, p_workshop_id);
    perform app.check_closure_date(p_workshop_id, p_closed_on);
    if length(btrim(p_reason)) > 200 then
        raise exception using errcode = 'UV056', column = 'reason', message = 'a closed day''s reason is at most 200 characters';
    end if;
    insert into app.workshop_closures (workshop_id, closed_on, reason)
    values (p_workshop_id, p_closed_on, nullif(btrim(p_reason), ''))
    on conflict (workshop_id, closed_on) do update set reason = excluded.reason;
end
$$;
comment on function app.add_workshop_closure(bigint, bigint, date, text) is
    'Closes a workshop on a local date (today or later), with an optional reason; closing a closed day again '
    'only updates the reason. Its slots disappear at once; bookings already made are kept (my_workshops counts '
    'them). Raises UP001 / UN001 (not this admin''s workshop), UV055 (a past date), UV056 (reason over 200 '
    'characters).';
grant execute on function app.add_workshop_closure(bigint, bigint, date, text) to autodoctor_app;
