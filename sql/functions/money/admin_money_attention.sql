create or replace function app.admin_money_attention(p_actor bigint, p_stuck_after interval default interval '15 minutes')
returns table (what text, id bigint, at timestamptz, status text, amount_cents integer, attempts integer,
               customer_name text, session_id bigint, detail text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_now timestamptz := app.app_now();
begin
    perform app.require_role(p_actor, 'admin');
    return query
        with stuck as (
            -- each through its own index: an OR of the two would read every payment
            select p.id from app.payments p
            where p.status in ('pending', 'processing') and p.created_at < v_now - p_stuck_after
            union all
            -- given up on after a day of asking: shown for a week
            select p.id from app.payments p
            where p.failure_code = 'unreconciled' and p.failed_at > v_now - interval '7 days'
        )
        select 'payment'::text, p.id, p.created_at, p.status, p.amount_cents, p.reconcile_attempts, u.name, p.session_id,
               nullif(concat_ws(' · ', p.intent_id, p.failure_message,
                                'next try ' || to_char(p.next_reconcile_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'),
                                p.last_reconcile_error), '')
        from stuck a join app.payments p on p.id = a.id join app.users u on u.id = p.customer_id
        union all
        select 'refund', f.id, f.created_at, f.status, f.amount_cents, f.attempts, u.name, f.session_id,
               nullif(concat_ws(' · ', f.reason, f.failure_message,
                                case when f.status = 'pending' then nullif(concat_ws(' · ', f.last_error,
                                    'next try ' || to_char(f.next_attempt_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')), '') end,
                                'sent again by ' || a.name || ' ' || to_char(f.retried_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')), '')
        from app.refunds f join app.payments p on p.id = f.payment_id join app.users u on u.id = p.customer_id
        left join app.users a on a.id = f.retried_by
        where f.status in ('pending', 'failed')
        order by 3;
end
$$;
comment on function app.admin_money_attention(bigint, interval) is
    'Money that needs the platform admin: payments whose gateway answer has not come for p_stuck_after '
    '(pending or processing, with reconciliation''s attempts, next try and last error), payments it gave up on '
    'in the last 7 days (unreconciled), and refunds not yet sent or failed (with their attempts, next try, last '
    'error, and who sent a failed one again). Raises UP001.';
grant execute on function app.admin_money_attention(bigint, interval) to autodoctor_app;
