create or replace function app.take_turn(p_class integer, p_id bigint) returns void
language sql volatile
as $$
    -- the two-key advisory lock holds 32-bit ids: a bigint id is taken modulo 2^31, which leaves every id below
    -- 2^31 its own key (the key it always had) and never overflows; two ids 2^31 apart merely take turns together
    select pg_advisory_xact_lock(p_class, (p_id % 2147483648)::integer)
$$;
comment on function app.take_turn(integer, bigint) is
    'Waits for the transaction-level advisory lock of one thing, of one class, and holds it until commit or '
    'rollback: the callers of one class take turns on the same thing. The classes, in the order a transaction '
    'takes them (so waiting never turns into a deadlock): 3 a customer''s checkout or balance payment '
    '(begin_checkout, begin_balance_payment; completing it may claim a slot), then 1 a mechanic''s claims, then 2 '
    'a workshop''s in-person capacity (claim_slot); 4 a mechanic''s time off (add_time_off) is taken with no other. '
    'Classes 5 and 6 are the job runner''s (jobs.py), on session locks of their own.';
