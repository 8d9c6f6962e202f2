create or replace function app.my_hold(p_actor bigint, p_hold_id bigint)
returns table (
    hold_id bigint, mechanic_id bigint, service_type text, plan_code text, starts_at timestamptz,
    ends_at timestamptz, expires_at timestamptz, status text, live boolean, seconds_left integer
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_now timestamptz := app.app_now();
begin
    perform app.require_role(p_actor, 'customer');
    return query
        select r.id, r.mechanic_id, r.service_type, r.plan_code, r.starts_at, r.ends_at, r.expires_at, r.status,
               r.status = 'reserved' and r.expires_at > v_now,
               case when r.status = 'reserved' then greatest(0, ceil(extract(epoch from r.expires_at - v_now)))::integer end
        from app.slot_reservations r
        where r.id = p_hold_id and r.customer_id = p_actor;
    if not found then
        raise exception using errcode = 'UN001', message = format('no hold %s of customer %s', p_hold_id, p_actor);
    end if;
end
$$;
comment on function app.my_hold(bigint, bigint) is
    'One of the acting customer''s claims on a mechanic''s time (SPEC §6): its slot, status, whether it is '
    'still a live hold and the seconds left before it lapses (for the countdown). Raises UP001, and UN001 '
    'when it is missing or someone else''s.';
grant execute on function app.my_hold(bigint, bigint) to autodoctor_app;
