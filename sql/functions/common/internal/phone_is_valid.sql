-- The rule of the users_phone_format and workshops_phone_format constraints (first written in migration 0027).
create or replace function app.phone_is_valid(p_phone text) returns boolean
language sql immutable parallel safe
as $$
    select p_phone ~ '^\+?[0-9() -]+$' and length(regexp_replace(p_phone, '[^0-9]', '', 'g')) between 7 and 15
$$;
comment on function app.phone_is_valid(text) is
    'True when the text is a phone number: an optional leading +, then digits, spaces, dashes and brackets, with '
    '7 to 15 digits in all.';
