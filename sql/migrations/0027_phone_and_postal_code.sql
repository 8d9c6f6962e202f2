-- Phone numbers and postal codes (issue 17): a phone of "((((((((" passed, as did a workshop's postal code that
-- no function had normalized. One rule each, used by the constraints of every table that stores them:
-- a phone is E.164-ish (an optional leading +, then digits, spaces, dashes and brackets, 7 to 15 digits); a
-- postal code is Canadian (A1A 1A1, with Canada Post's letters) in Canada, a ZIP code in the United States.
-- Rows saved before this migration are kept as they were (not valid); every row written from now on is checked.
create function app.phone_is_valid(p_phone text) returns boolean
language sql immutable parallel safe
as $$
    select p_phone ~ '^\+?[0-9() -]+$' and length(regexp_replace(p_phone, '[^0-9]', '', 'g')) between 7 and 15
$$;
comment on function app.phone_is_valid(text) is
    'True when the text is a phone number: an optional leading +, then digits, spaces, dashes and brackets, with '
    '7 to 15 digits in all.';

create function app.postal_code_is_valid(p_postal_code text, p_country text) returns boolean
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

alter table app.users
    drop constraint users_phone_format,
    add constraint users_phone_format check (phone is null or app.phone_is_valid(phone)) not valid;
alter table app.customers
    drop constraint customers_postal_code_format,
    add constraint customers_postal_code_format
        check (postal_code is null or app.postal_code_is_valid(postal_code, country)) not valid;
alter table app.workshops
    add constraint workshops_phone_format check (phone is null or app.phone_is_valid(phone)) not valid,
    add constraint workshops_postal_code_format check (app.postal_code_is_valid(postal_code, country)) not valid;

-- Refusals say why (issue 17): a reason's sentence names the mechanic's own limits (availability_reason_message
-- takes the mechanic and the start).
drop function if exists app.availability_reason_message(text);
