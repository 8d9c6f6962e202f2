create or replace function app.session_money(p_session bigint)
returns table (paid_cents integer, refunded_cents integer, refund_pending_cents integer, refund_failed_cents integer,
               credited_cents integer)
language sql stable
as $$
    select coalesce((select sum(p.amount_cents + p.credit_cents) from app.payments p
                     where p.session_id = p_session and p.status = 'succeeded'), 0)::integer,
           coalesce(sum(r.amount_cents) filter (where r.status = 'succeeded'), 0)::integer,
           coalesce(sum(r.amount_cents) filter (where r.status = 'pending'), 0)::integer,
           coalesce(sum(r.amount_cents) filter (where r.status = 'failed'), 0)::integer,
           coalesce((select sum(c.amount_cents) from app.credit_entries c
                     where c.session_id = p_session and c.amount_cents > 0), 0)::integer
    from app.refunds r
    where r.session_id = p_session;
$$;
comment on function app.session_money(bigint) is
    'What a session''s money is now, as the customer is told it: paid (card and credit), refunds sent to the '
    'card, refunds on their way (pending) and refunds the gateway refused for good (failed), and account credit '
    'given. Inlined where it is read (my_appointments, session_snapshot).';
