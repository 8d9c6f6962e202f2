create or replace function app.failed_checks(p_table regclass, p_row jsonb) returns text[]
language plpgsql stable
set search_path = app, pg_temp
as $$
declare
    v_checks text;
    v_failed text[];
begin
    -- the table's own CHECK constraints, evaluated on the candidate row: the rules stay written once, in the
    -- table, and a form learns every field they refuse at once rather than the first one an insert trips on
    select string_agg(format('case when not (%s) then %L end', pg_get_expr(c.conbin, c.conrelid), c.conname), ', '
                      order by c.conname)
    into v_checks
    from pg_constraint c
    where c.conrelid = p_table and c.contype = 'c';
    if v_checks is null then
        return '{}'::text[];
    end if;
    execute format('select array_remove(array[%s]::text[], null) from jsonb_populate_record(null::%s, $1)', v_checks, p_table)
    into v_failed using p_row;
    return v_failed;
end
$$;
comment on function app.failed_checks(regclass, jsonb) is
    'The names of the CHECK constraints of p_table that the row p_row (column => value; absent columns are '
    'null) would break, in name order; empty when it would pass them all. Unique and foreign keys are not '
    'judged here. For a writer to gather every refused field before refuse_fields.';
