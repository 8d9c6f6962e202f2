create or replace function app.check_closure_date(p_workshop_id bigint, p_closed_on date) returns void
language plpgsql stable
as $$
begin
    if p_closed_on is null or p_closed_on < (select (app.app_now() at time zone w.timezone)::date
                                             from app.workshops w where w.id = p_workshop_id) then
        raise exception using errcode = 'UV055', column = 'closed_on',
            message = format('%s is before today at workshop %s', p_closed_on, p_workshop_id);
    end if;
end
$$;
comment on function app.check_closure_date(bigint, date) is
    'Raises UV055 unless the date is today or later in the workshop''s zone: closed days in the past are history.';
