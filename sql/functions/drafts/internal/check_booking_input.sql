create or replace function app.check_booking_input(
    p_actor bigint,
    p_kind text,
    p_plan text,
    p_service_type text,
    p_vehicle_id bigint,
    p_advice_only boolean,
    p_request_type text,
    p_concern text,
    p_is_urgent boolean,
    p_mechanic bigint default null
) returns text
language plpgsql stable
as $$
declare
    v_make text;
begin
    perform app.require_role(p_actor, 'customer');
    perform app.plan_duration(p_plan);
    if p_kind is null or p_kind not in ('immediate', 'scheduled') then
        raise exception using errcode = 'UV001', column = 'kind', message = 'a session is immediate or scheduled';
    end if;
    if p_service_type is null or p_service_type not in ('online', 'in_person') then
        raise exception using errcode = 'UV001', column = 'service_type', message = 'service type is online or in_person';
    end if;
    if p_kind = 'immediate' and p_service_type <> 'online' then
        raise exception using errcode = 'UV001', column = 'service_type', message = 'immediate sessions are online';
    end if;
    if p_request_type is null or p_request_type not in ('general', 'brand_specialist') then
        raise exception using errcode = 'UV001', column = 'request_type', message = 'request type is general or brand_specialist';
    end if;
    if coalesce(p_advice_only, false) then
        if p_vehicle_id is not null then
            raise exception using errcode = 'UV001', column = 'vehicle_id', message = 'Just Advice has no vehicle';
        end if;
        if p_request_type = 'brand_specialist' then
            raise exception using errcode = 'UV008', column = 'make', message = 'Just Advice is not brand-filtered';
        end if;
    else
        if p_vehicle_id is null then
            raise exception using errcode = 'UV010', column = 'vehicle_id', message = 'choose a vehicle or Just Advice';
        end if;
        select v.make into v_make from app.vehicles v where v.id = p_vehicle_id and v.customer_id = p_actor;
        if not found then
            raise exception using errcode = 'UN001', message = format('vehicle %s is not one of customer %s', p_vehicle_id, p_actor);
        end if;
        -- a brand specialist booked by name must be one (SPEC §2); immediate ones are matched by make
        if p_request_type = 'brand_specialist' and p_mechanic is not null
           and not exists (select 1 from app.mechanics m, unnest(m.brands) b
                           where m.id = p_mechanic and lower(b) = lower(btrim(v_make))) then
            raise exception using errcode = 'UV008', column = 'make',
                message = format('mechanic %s is no %s specialist', p_mechanic, v_make);
        end if;
    end if;
    if not app.concern_is_described(p_concern, p_is_urgent, p_kind = 'immediate') then
        raise exception using errcode = 'UV009', column = 'concern', message = 'describe the concern in at least 10 characters (5 when urgent)';
    end if;
    return v_make;
end
$$;
comment on function app.check_booking_input(bigint, text, text, text, bigint, boolean, text, text, boolean, bigint) is
    'The checks every booking passes before money is taken and again when its session is born: a customer, '
    'a plan on sale, kind / service type / request type, Just Advice without a vehicle or one of the '
    'customer''s own, a brand specialist (the mechanic booked, when known) who lists the vehicle''s make, a concern that '
    'concern_is_described. Returns the vehicle''s make. Raises UP001, '
    'UV001/UV003/UV008/UV009/UV010, UN001.';
