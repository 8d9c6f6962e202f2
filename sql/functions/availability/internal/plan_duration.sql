create or replace function app.plan_duration(p_plan text) returns interval
language plpgsql stable
as $$
declare
    v_duration interval;
begin
    select make_interval(mins => p.duration_minutes) into v_duration from app.plans p where p.code = p_plan and p.active;
    if v_duration is null then
        raise exception using errcode = 'UV003', column = 'plan', message = format('no plan %L on sale', p_plan);
    end if;
    return v_duration;
end
$$;
comment on function app.plan_duration(text) is 'The length of a plan on sale; raises UV003 for any other.';
