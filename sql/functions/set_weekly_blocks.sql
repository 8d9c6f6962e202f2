create or replace function app.set_weekly_blocks(p_actor bigint, p_weekday integer, p_starts time[], p_ends time[])
returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_kind text;
    v_ends time[];
    v_saved integer;
begin
    perform app.require_role(p_actor, 'mechanic');
    -- the row lock makes two saves of one mechanic take turns: the later one wins whole
    select app.mechanic_type_of(m.workshop_id, m.account_type) into v_kind
    from app.mechanics m where m.id = p_actor for no key update;
    if v_kind = 'workshop_affiliated' then
        raise exception using errcode = 'UR020', message = format('mechanic %s works to their workshop''s hours', p_actor);
    end if;
    if p_weekday is null or p_weekday not between 1 and 7 then
        raise exception using errcode = 'UV020', column = 'weekday', message = format('weekday %s is not 1 to 7', p_weekday);
    end if;
    if p_starts is null or p_ends is null or cardinality(p_starts) <> cardinality(p_ends)
       or array_ndims(p_starts) > 1 or array_ndims(p_ends) > 1
       or array_position(p_starts, null) is not null or array_position(p_ends, null) is not null
       or exists (select 1 from unnest(p_starts || p_ends) t where t <> date_trunc('minute', t)) then
        raise exception using errcode = 'UV020', column = 'blocks', message = 'each block needs a start and an end in whole minutes';
    end if;

    -- an end of 00:00 is the midnight that closes the day
    v_ends := array(select case when e = '00:00' then '24:00'::time else e end
                    from unnest(p_ends) with ordinality as x(e, n) order by n);
    if exists (select 1 from unnest(p_starts, v_ends) as b(s, e) where e <= s) then
        raise exception using errcode = 'UV021', column = 'blocks', message = 'a block ends before it starts';
    end if;
    if exists (select 1
               from unnest(p_starts, v_ends) with ordinality as a(s, e, n)
               join unnest(p_starts, v_ends) with ordinality as b(s, e, n)
                 on a.n < b.n and app.timerange(a.s, a.e) && app.timerange(b.s, b.e)) then
        raise exception using errcode = 'UV022', column = 'blocks', message = 'two blocks of the day overlap';
    end if;

    delete from app.mechanic_availability where mechanic_id = p_actor and weekday = p_weekday;
    insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time)
    select p_actor, p_weekday, s, e from unnest(p_starts, v_ends) as b(s, e);
    get diagnostics v_saved = row_count;
    return v_saved;
end
$$;
comment on function app.set_weekly_blocks(bigint, integer, time[], time[]) is
    'Replaces the acting mechanic''s weekly blocks of one ISO weekday (1 = Monday) with the given local '
    'wall-clock blocks (starts[i] to ends[i]; an end of 00:00 means midnight; empty arrays clear the day) in '
    'one go, and returns how many were saved; customers see the change at once. Raises UP001 (not a mechanic), '
    'UR020 (workshop_affiliated: the workshop''s hours are theirs), UV020 (bad weekday, or a block without both '
    'times in whole minutes), UV021 (a block ending before it starts), UV022 (overlapping blocks).';
grant execute on function app.set_weekly_blocks(bigint, integer, time[], time[]) to autodoctor_app;
