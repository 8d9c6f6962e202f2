create or replace function app.remove_workshop_closure(p_actor bigint, p_workshop_id bigint, p_closed_on date) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_workshop_admin(p_actor, p_workshop_id);
    perform app.check_closure_date(p_workshop_id, p_closed_on);
    delete from app.workshop_closures where workshop_id = p_workshop_id and closed_on = p_closed_on;
    if not found then
        raise exception using errcode = 'UN001', message = format('workshop %s is not closed on %s', p_workshop_id, p_closed_on);
    end if;
end
$$;
comment on function app.remove_workshop_closure(bigint, bigint, date) is
    'Opens a workshop again on a closed local date (today or later): the weekday''s hours apply again. Raises '
    'UP001 / UN001 (not this admin''s workshop, or not a closed day), UV055 (a past date: history stays).';
grant execute on function app.remove_workshop_closure(bigint, bigint, date) to autodoctor_app;
