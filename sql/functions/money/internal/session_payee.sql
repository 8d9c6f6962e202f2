create or replace function app.session_payee(p_mechanic bigint)
returns table (payee text, mechanic_id bigint, workshop_id bigint)
language sql stable
as $$
    select case app.mechanic_type_of(m.workshop_id, m.account_type) when 'workshop_affiliated' then 'workshop' else 'mechanic' end,
           m.id,
           case app.mechanic_type_of(m.workshop_id, m.account_type) when 'workshop_affiliated' then m.workshop_id end
    from app.mechanics m where m.id = p_mechanic
$$;
comment on function app.session_payee(bigint) is
    'Who is paid for a mechanic''s work (SPEC §1): the mechanic (virtual only, independent workshop) or the '
    'workshop (workshop affiliated), with the mechanic named either way.';
