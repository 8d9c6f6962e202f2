create or replace function app.multirange_minutes(p_ranges tstzmultirange) returns numeric
language sql immutable strict parallel safe
as $$
    select coalesce(sum(extract(epoch from upper(r) - lower(r))), 0) / 60 from unnest(p_ranges) r
$$;
comment on function app.multirange_minutes(tstzmultirange) is 'The minutes a set of bounded time ranges covers.';
