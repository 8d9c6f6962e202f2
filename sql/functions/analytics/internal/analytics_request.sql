create or replace function app.analytics_request(
    p_actor bigint,
    p_from date,
    p_to date,
    p_zone text,
    p_mechanic bigint,
    p_workshop bigint
) returns table (lo timestamptz, hi timestamptz, mechanics bigint[], platform boolean)
language plpgsql stable rows 1
as $$
declare
    v_role text;
    v_mechanics bigint[];
    v_workshop_seen boolean;
    v_mechanic_seen boolean;
begin
    perform app.require_role(p_actor, 'admin', 'workshop_admin', 'mechanic');
    select u.role into v_role from app.users u where u.id = p_actor;
    if p_from is null or p_to is null or not isfinite(p_from) or not isfinite(p_to) or p_to < p_from then
        raise exception using errcode = 'UV004', column = 'to', message = 'the range ends before it starts';
    end if;
    if p_to - p_from > 365 then
        raise exception using errcode = 'UV090', column = 'to', message = 'a range covers at most 366 days';
    end if;
    if p_zone is null or not exists (select 1 from app.time_zones z where z.name = p_zone) then
        raise exception using errcode = 'UV006', column = 'zone', message = format('unknown time zone %L', p_zone);
    end if;
    -- the viewer's view is analytics_scope's; a workshop or mechanic outside it is answered as a missing one
    select coalesce(array_agg(s.id order by s.id) filter (
                        where s.kind = 'mechanic' and (p_workshop is null or s.workshop_id = p_workshop)
                          and (p_mechanic is null or s.id = p_mechanic)), '{}'),
           coalesce(bool_or(s.kind = 'workshop' and s.id = p_workshop), false),
           coalesce(bool_or(s.kind = 'mechanic' and s.id = p_mechanic), false)
    into v_mechanics, v_workshop_seen, v_mechanic_seen
    from app.analytics_scope(p_actor) s;
    if p_workshop is not null and not v_workshop_seen then
        raise exception using errcode = 'UN001', column = 'workshop',
            message = format('workshop %s is not in the view of user %s', p_workshop, p_actor);
    end if;
    if p_mechanic is not null and not v_mechanic_seen then
        raise exception using errcode = 'UN001', column = 'mechanic',
            message = format('mechanic %s is not in the view of user %s', p_mechanic, p_actor);
    end if;

    return query select p_from::timestamp at time zone p_zone, (p_to + 1)::timestamp at time zone p_zone, v_mechanics,
                        v_role = 'admin' and p_mechanic is null and p_workshop is null;
end
$$;
comment on function app.analytics_request(bigint, date, date, text, bigint, bigint) is
    'Checks an analytics request (SPEC §15) and says what it covers: the instants [lo, hi) of the local dates '
    'p_from..p_to (both included) in the viewer''s zone p_zone; the mechanics whose numbers the viewer sees '
    '(analytics_scope: a platform admin all, a workshop admin those of the workshops they run, a mechanic '
    'themselves), narrowed to p_workshop and p_mechanic when given; and platform, true when a platform admin '
    'asks for the whole platform (only then do rows of no mechanic count, such as a Book Now request nobody '
    'took). Raises UP001 (customers, unknown users), UV004 (a missing, infinite or reversed range), UV090 (over '
    '366 days), UV006 (unknown zone), UN001 (a workshop or mechanic outside the view, or missing). Not callable '
    'by the app: each analytics_* function calls it first.';
