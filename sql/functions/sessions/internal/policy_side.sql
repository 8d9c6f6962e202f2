create or replace function app.policy_side(p_session app.sessions, p_side text) returns text
language sql stable
as $$
    -- a customer who cancels while their cancelled mechanic is being replaced cancels because of the mechanic
    select case when p_side = 'customer' and app.session_handing_over(p_session.id) then 'mechanic' else p_side end
$$;
comment on function app.policy_side(app.sessions, text) is
    'The side whose policy (SPEC §9) a cancellation by p_side follows: the mechanic''s (everything back) when '
    'the customer cancels a session whose booked mechanic cancelled and is being re-matched; else p_side.';
