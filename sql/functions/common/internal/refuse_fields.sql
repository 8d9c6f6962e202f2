create or replace function app.refuse_fields(p_problems text[]) returns void
language plpgsql stable
set search_path = app, pg_temp
as $$
declare
    v_problem text := p_problems[1];
    v_state text;
begin
    if coalesce(cardinality(p_problems), 0) = 0 then
        return;
    end if;
    if cardinality(p_problems) > 1 then
        raise exception using errcode = 'UV000', detail = array_to_string(p_problems, ' '),
            message = format('%s fields refused: %s', cardinality(p_problems), array_to_string(p_problems, ', '));
    end if;
    -- one problem is raised as it always was: its own code and field, or its constraint with that constraint's
    -- SQLSTATE (a unique index counts as a unique constraint)
    if v_problem ~ '^U[A-Z][0-9]{3}:' then
        raise exception using errcode = split_part(v_problem, ':', 1), column = split_part(v_problem, ':', 2),
            detail = v_problem, message = format('field refused: %s', v_problem);
    end if;
    select case c.contype when 'c' then '23514' when 'f' then '23503' when 'x' then '23P01' else '23505' end
    into v_state
    from (select c.contype from pg_constraint c where c.conname = v_problem and c.connamespace = 'app'::regnamespace
          union all
          select 'u' from pg_class i where i.relname = v_problem and i.relkind = 'i' and i.relnamespace = 'app'::regnamespace) c
    limit 1;
    raise exception using errcode = coalesce(v_state, '23514'), constraint = v_problem, detail = v_problem,
        message = format('field refused: %s', v_problem);
end
$$;
comment on function app.refuse_fields(text[]) is
    'Raises every refused field of a form in one error, or returns when there is none. Each problem is a '
    'constraint name (errors.CONSTRAINTS knows its field) or CODE:field (a UV code and the field it concerns). '
    'Several: UV000 with the problems, space-separated, in DETAIL. One: its own code with COLUMN, or its '
    'constraint with the SQLSTATE of that kind of constraint (23514 check, 23505 unique, 23503 foreign key).';
