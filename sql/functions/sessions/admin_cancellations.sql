create or replace function app.admin_cancellations(p_actor bigint, p_from date, p_to date, p_zone text)
returns table (tier text, decided_by text, sessions bigint, charged_cents bigint, refund_cents bigint,
               credit_cents bigint, payee_cents bigint, platform_cents bigint)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    r record;
begin
    perform app.require_role(p_actor, 'admin');
    select * into r from app.analytics_request(p_actor, p_from, p_to, p_zone, null, null);
    return query
        select o.tier, o.decided_by, count(*), sum(o.charged_cents), sum(o.refund_cents), sum(o.credit_cents),
               sum(o.payee_cents), sum(o.platform_cents)
        from app.policy_outcomes o
        where o.decided_at >= r.lo and o.decided_at < r.hi
        group by 1, 2
        order by 3 desc, 1, 2;
end
$$;
comment on function app.admin_cancellations(bigint, date, date, text) is
    'Sessions settled by the cancellation and no-show policy (SPEC §9) on the local dates p_from..p_to of '
    'p_zone, by tier and by who decided it, with the money each tier moved. Raises UP001 and analytics_request''s '
    'range checks.';
grant execute on function app.admin_cancellations(bigint, date, date, text) to autodoctor_app;
