create or replace function app.normalize_postal_code(p_postal_code text, p_country text) returns text
language sql immutable parallel safe
as $$
    select case
        when nullif(btrim(p_postal_code), '') is null then null
        when coalesce(p_country, 'CA') = 'CA' and upper(regexp_replace(p_postal_code, '\s', '', 'g')) ~ '^[A-Z0-9]{6}$'
            then upper(substr(regexp_replace(p_postal_code, '\s', '', 'g'), 1, 3) || ' '
                       || substr(regexp_replace(p_postal_code, '\s', '', 'g'), 4, 3))
        else upper(btrim(p_postal_code))
    end
$$;
comment on function app.normalize_postal_code(text, text) is
    'A postal code as stored: Canadian ones upper-cased as "A1A 1A1", others trimmed; blank becomes null.';
