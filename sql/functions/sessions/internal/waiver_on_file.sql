create or replace function app.waiver_on_file(p_customer bigint, p_at timestamptz, p_service_type text default 'online')
returns boolean
language sql stable
as $$
    select exists (
        select 1 from app.waiver_signatures s
        where s.customer_id = p_customer
          and s.version = app.current_waiver_version(p_service_type)
          and s.signed_at > p_at - interval '30 days' and s.signed_at <= p_at);
$$;
comment on function app.waiver_on_file(bigint, timestamptz, text) is
    'True when the customer signed the current waiver version of that service type in the 30 days up to p_at '
    '(SPEC §12): the remote advice waiver (online) covers every online session; a signature of the other kind '
    'never counts. An in-person visit is checked in only by its own signature on the workshop''s tablet.';
