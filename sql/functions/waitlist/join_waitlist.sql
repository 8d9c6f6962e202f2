create or replace function app.join_waitlist(
    p_actor bigint,
    p_plan text,
    p_vehicle_id bigint default null,
    p_advice_only boolean default false,
    p_concern text default null
) returns table (entry_id bigint, status text, created_at timestamptz, expires_at timestamptz, place_in_line integer)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_now timestamptz := app.app_now();
    v_entry app.customer_waitlist;
begin
    perform app.require_role(p_actor, 'customer');
    perform app.plan_duration(p_plan);
    if p_vehicle_id is not null and not exists (select 1 from app.vehicles v where v.id = p_vehicle_id and v.customer_id = p_actor) then
        raise exception using errcode = 'UN001', message = format('vehicle %s is not one of customer %s', p_vehicle_id, p_actor);
    end if;
    -- an entry past its two hours no longer holds the customer's place, even before the job has run
    update app.customer_waitlist w set status = 'expired'
    where w.customer_id = p_actor and w.status = 'pending' and w.expires_at <= v_now;
    insert into app.customer_waitlist (customer_id, plan_code, vehicle_id, advice_only, concern, created_at, expires_at)
    values (p_actor, p_plan, p_vehicle_id, coalesce(p_advice_only, false), nullif(btrim(p_concern), ''), v_now,
            v_now + interval '2 hours')
    returning * into v_entry;
    perform app.notify(p_actor, 'waitlist_joined', jsonb_build_object('entry_id', v_entry.id, 'expires_at', v_entry.expires_at),
                       null, format('waitlist-joined-%s', v_entry.id));
    return query select e.entry_id, e.status, e.created_at, e.expires_at, e.place_in_line from app.waitlist_entry(p_actor) e;
end
$$;
comment on function app.join_waitlist(bigint, text, bigint, boolean, text) is
    'Puts the acting customer on the waitlist for 2 hours (SPEC §10) and queues the confirmation email. '
    'Returns the entry and its place in line. Raises UP001, UV003 (plan), UN001 (vehicle not theirs), '
    'customer_waitlist_one_pending (23505) when already waiting.';
grant execute on function app.join_waitlist(bigint, text, bigint, boolean, text) to autodoctor_app;
