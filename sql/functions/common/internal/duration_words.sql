create or replace function app.duration_words(p_minutes integer) returns text
language sql immutable parallel safe
as $$
    select case
        when p_minutes % 1440 = 0 and p_minutes >= 1440 then format('%s day%s', p_minutes / 1440, case when p_minutes = 1440 then '' else 's' end)
        when p_minutes % 60 = 0 and p_minutes >= 60 then format('%s hour%s', p_minutes / 60, case when p_minutes = 60 then '' else 's' end)
        else format('%s minute%s', p_minutes, case when p_minutes = 1 then '' else 's' end)
    end
$$;
comment on function app.duration_words(integer) is
    'A number of minutes as people say it: "2 hours", "3 days", "90 minutes".';
