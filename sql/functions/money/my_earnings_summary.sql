create or replace function app.my_earnings_summary(p_actor bigint)
returns table (
    timezone text, paid_to text, workshop_name text, week_starts date, month_starts date,
    week_cents integer, month_cents integer, all_time_cents integer, to_workshop_cents integer, entries integer
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_zone text;
    v_today date;
begin
    perform app.require_role(p_actor, 'mechanic');
    select m.timezone into v_zone from app.mechanics m where m.id = p_actor;
    v_today := (app.app_now() at time zone v_zone)::date;
    return query
        with bounds as (
            select date_trunc('week', v_today)::date as week_day, date_trunc('month', v_today)::date as month_day
        ), ledger as (
            select y.amount_cents, y.payee, y.created_at
            from app.payouts y
            where y.mechanic_id = p_actor and y.payee in ('mechanic', 'workshop')
        )
        select v_zone, p.payee, w.name, b.week_day, b.month_day,
               coalesce(sum(l.amount_cents) filter (where l.created_at >= b.week_day::timestamp at time zone v_zone), 0)::integer,
               coalesce(sum(l.amount_cents) filter (where l.created_at >= b.month_day::timestamp at time zone v_zone), 0)::integer,
               coalesce(sum(l.amount_cents), 0)::integer,
               coalesce(sum(l.amount_cents) filter (where l.payee = 'workshop'), 0)::integer,
               count(l.amount_cents)::integer
        from bounds b
        cross join app.session_payee(p_actor) p
        left join app.workshops w on w.id = p.workshop_id
        left join ledger l on true
        group by p.payee, w.name, b.week_day, b.month_day;
end
$$;
comment on function app.my_earnings_summary(bigint) is
    'Totals of the acting mechanic''s payout ledger for this week (from Monday), this month and all time, '
    'weeks and months in the mechanic''s zone; who their share is paid to now (the mechanic, or the workshop '
    'of a workshop-affiliated mechanic) and how much of the total went to a workshop. Raises UP001 for '
    'non-mechanics.';
grant execute on function app.my_earnings_summary(bigint) to autodoctor_app;
