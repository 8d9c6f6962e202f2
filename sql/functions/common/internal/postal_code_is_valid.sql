-- The rule of the customers_ and workshops_postal_code_format constraints (first written in migration 0027).
create or replace function app.postal_code_is_valid(p_postal_code text, p_country text) returns boolean
language sql immutable parallel safe
as $$
    select case p_country
        when 'CA' then p_postal_code ~ '^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] [0-9][ABCEGHJ-NPRSTV-Z][0-9]$'
        when 'US' then p_postal_code ~ '^[0-9]{5}(-[0-9]{4})?$'
        else false
    end
$$;
comment on function app.postal_code_is_valid(text, text) is
    'True when the text is a postal code as stored (normalize_postal_code) of the country: A1A 1A1 with the '
    'letters Canada Post uses in Canada (CA), a ZIP or ZIP+4 code in the United States (US).';
