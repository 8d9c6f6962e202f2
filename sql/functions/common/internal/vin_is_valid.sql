-- The rule of the vehicles_vin_valid constraint (first written in migration 0001): a North American VIN has 17
-- characters without I, O or Q, and the check digit in position 9.
create or replace function app.vin_is_valid(vin text) returns boolean
language sql immutable strict parallel safe
set search_path = app, pg_temp
as $$
    select vin ~ '^[A-HJ-NPR-Z0-9]{17}$'
       and substr(vin, 9, 1) = (
           select case when total % 11 = 10 then 'X' else (total % 11)::text end
           from (
               select sum(
                   (case
                        when ch ~ '[0-9]' then ch::int
                        else (string_to_array('1,2,3,4,5,6,7,8,0,1,2,3,4,5,0,7,0,9,2,3,4,5,6,7,8,9', ',')
                              )[ascii(ch) - ascii('A') + 1]::int
                    end)
                   * (array[8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2])[pos]
               ) as total
               from unnest(string_to_array(vin, null)) with ordinality as chars(ch, pos)
           ) as weighted
       )
$$;
comment on function app.vin_is_valid(text) is
    'True when the text is a 17-character VIN (no I, O, Q) whose 9th character is the ISO 3779 check digit.';
