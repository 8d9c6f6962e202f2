create or replace function app.workshop_peak_load(p_workshop bigint, p_range tstzrange, p_now timestamptz)
returns integer
language sql stable
set search_path = app, pg_temp
as $$
    -- the most in-person claims at the workshop at any one moment of the range: it only rises where a
    -- claim starts, so those moments (and the range's start) are the ones to count at
    with claims as (
        select tstzrange(r.starts_at, r.ends_at) as span
        from app.slot_reservations r
        where r.workshop_id = p_workshop and r.status in ('reserved', 'confirmed')
          and (r.status = 'confirmed' or r.expires_at > p_now)
          and tstzrange(r.starts_at, r.ends_at) && p_range
    )
    select coalesce(max((select count(*) from claims c where c.span @> moment)), 0)::integer
    from (select lower(p_range) as moment
          union select lower(c.span) from claims c where lower(c.span) > lower(p_range)) moments
$$;
comment on function app.workshop_peak_load(bigint, tstzrange, timestamptz) is
    'The highest number of live in-person claims (confirmed, or held and not expired at p_now) at a workshop '
    'at any one moment of the range; compared with the workshop''s capacity.';
