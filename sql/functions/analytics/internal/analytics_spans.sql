create or replace function app.analytics_spans(p_zone text, p_days date[])
returns table (lo timestamptz, hi timestamptz)
language sql immutable
as $$
    select lower(s), upper(s)
    from unnest((select range_agg(tstzrange(d::timestamp at time zone p_zone, (d + 1)::timestamp at time zone p_zone))
                 from unnest(p_days) d)) s
$$;
comment on function app.analytics_spans(text, date[]) is
    'The local days p_days of zone p_zone as runs of consecutive instants [lo, hi), for the analytics_compute_* '
    'functions to read each through the indexes by its bounds.';
