create or replace function app.mechanic_type_of(p_workshop_id bigint, p_account_type text) returns text
language sql immutable parallel safe
as $$
    select case
        when p_workshop_id is null then 'virtual_only'
        when p_account_type = 'individual_mechanic' then 'independent_workshop'
        else 'workshop_affiliated'
    end
$$;
comment on function app.mechanic_type_of(bigint, text) is
    'SPEC §1 from a mechanic''s columns: virtual_only (no workshop), independent_workshop (owns its workshop), '
    'workshop_affiliated (employee or contractor). mechanics_type_consistent keeps the inputs unambiguous.';
