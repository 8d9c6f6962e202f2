create or replace function app.waiver_on_file(p_customer bigint, p_at timestamptz) returns boolean
language sql stable
as $$
    select exists (
        select 1 from app.waiver_signatures s
        where s.customer_id = p_customer
          and s.version = app.current_waiver_version()
          and s.signed_at > p_at - interval '30 days' and s.signed_at <= p_at);
$$;
comment on function app.waiver_on_file(bigint, timestamptz) is
    'True when the customer signed the current waiver version in the 30 days up to p_at (SPEC §12): that '
    'signature covers every session.';
