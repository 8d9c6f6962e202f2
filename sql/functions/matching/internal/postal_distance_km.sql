create or replace function app.postal_distance_km(p_from text, p_to text) returns integer
language sql immutable parallel safe
as $$
    -- Canada Post's postal districts (the first letter of a postal code) by the point most of their people live
    -- near: coarse, but it puts Toronto before Halifax and Halifax before Vancouver, which is what a list of
    -- workshops needs; codes of one area (the same first three characters) are 0 km apart
    with districts (letter, lat, lon) as (values
        ('A', 47.56, -52.71), ('B', 44.65, -63.58), ('C', 46.24, -63.13), ('E', 46.09, -64.78),
        ('G', 46.81, -71.21), ('H', 45.50, -73.57), ('J', 45.90, -73.30), ('K', 45.10, -76.00),
        ('L', 43.65, -79.75), ('M', 43.70, -79.42), ('N', 43.00, -81.25), ('P', 46.80, -81.50),
        ('R', 49.90, -97.14), ('S', 51.30, -105.60), ('T', 52.30, -113.80), ('V', 49.28, -123.12),
        ('X', 62.45, -114.37), ('Y', 60.72, -135.06)
    )
    select case when upper(left(btrim(p_from), 3)) = upper(left(btrim(p_to), 3)) then 0
                else round(2 * 6371 * asin(sqrt(
                         sin(radians(b.lat - a.lat) / 2) ^ 2
                         + cos(radians(a.lat)) * cos(radians(b.lat)) * sin(radians(b.lon - a.lon) / 2) ^ 2)))::integer
           end
    from districts a, districts b
    where p_from ~* '^\s*[A-Z][0-9][A-Z]' and p_to ~* '^\s*[A-Z][0-9][A-Z]'
      and a.letter = upper(left(btrim(p_from), 1)) and b.letter = upper(left(btrim(p_to), 1))
$$;
comment on function app.postal_distance_km(text, text) is
    'About how many km apart two Canadian postal codes are, from the postal district (first letter) of each: 0 '
    'within one area (same first three characters), null when either is missing, not Canadian or unknown. '
    'Orders workshops nearest first for a customer (list_mechanics_near).';
