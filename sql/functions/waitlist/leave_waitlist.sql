create or replace function app.leave_waitlist(p_actor bigint) returns boolean
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'customer');
    update app.customer_waitlist set status = 'cancelled', cancelled_at = app.app_now()
    where customer_id = p_actor and status = 'pending';
    return found;
end
$$;
comment on function app.leave_waitlist(bigint) is
    'Takes the acting customer off the waitlist; true when they were waiting. Raises UP001.';
grant execute on function app.leave_waitlist(bigint) to autodoctor_app;
