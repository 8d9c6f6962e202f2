create or replace function app.set_weekly_blocks(p_actor bigint, p_weekday integer, p_starts time[], p_ends time[])
returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_kind text;
    v_ends time[];
    v_saved integer;
    v_problems text[];
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
       or array_ndims(p_starts) > 1 or array_ndims(p_ends) > 1 then
        raise exception using errcode = 'UV020', column = 'blocks', message = 'each block needs a start and an end';
    end if;

    -- every bad block at once, each named blocks-N-start or -end (N counts the blocks sent from 0)
    v_problems := array(
        select format('UV020:blocks-%s-%s', b.n - 1, b.part)
        from unnest(p_starts, p_ends) with ordinality as x(s, e, n)
        cross join lateral (values (x.n, 'start', x.s), (x.n, 'end', x.e)) as b(n, part, t)
        where b.t is null or b.t <> date_trunc('minute', b.t)
        order by b.n, b.part desc);
    -- an end of 00:00 is the midnight that closes the day
    v_ends := array(select case when e = '00:00' then '24:00'::time else e end
                    from unnest(p_ends) with ordinality as x(e, n) order by n);
    if cardinality(v_problems) = 0 then
        v_problems := array(select format('UV021:blocks-%s-end', b.n - 1)
                            from unnest(p_starts, v_ends) with ordinality as b(s, e, n) where b.e <= b.s order by b.n);
    end if;
    if cardinality(v_problems) = 0 then
        -- of two overlapping blocks, the later one in the list is the one marked
        v_problems := array(select distinct format('UV022:blocks-%s-start', b.n - 1)
                            from unnest(p_starts, v_ends) with ordinality as a(s, e, n)
                            join unnest(p_starts, v_ends) with ordinality as b(s, e, n)
                              on a.n < b.n and app.timerange(a.s, a.e) && app.timerange(b.s, b.e));
    end if;
    perform app.refuse_fields(v_problems);

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
    'UR020 (workshop_affiliated: the workshop''s hours are theirs), UV020 (bad weekday, or lists of different '
    'lengths), then every bad block at once (refuse_fields: UV000 listing CODE:blocks-N-start/end when several, '
    'N counting from 0, else the one code with that column): UV020 (a time missing or not on a whole minute), '
    'UV021 (a block ending before it starts), UV022 (a block overlapping an earlier one).';
grant execute on function app.set_weekly_blocks(bigint, integer, time[], time[]) to autodoctor_app;
