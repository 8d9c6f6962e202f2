create or replace function app.sign_waiver(
    p_actor bigint,
    p_session bigint default null,
    p_mode text default 'online',
    p_signature_png bytea default null,
    p_typed_name text default null,
    p_ip inet default null,
    p_user_agent text default null
) returns bigint
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_now timestamptz := app.app_now();
    v_session app.sessions;
    v_customer bigint := p_actor;
    v_id bigint;
begin
    perform app.require_actor(p_actor);
    if p_mode is null or p_mode not in ('online', 'in_person') then
        raise exception using errcode = 'UV001', column = 'mode', message = 'a waiver is signed online or in person';
    end if;
    if (p_signature_png is null) = (nullif(btrim(coalesce(p_typed_name, '')), '') is null) then
        raise exception using errcode = 'UV013', column = 'signature', message = 'draw a signature or type your name';
    end if;
    if p_session is not null then
        select * into v_session from app.sessions s where s.id = p_session;
    end if;

    if p_mode = 'online' then
        perform app.require_role(p_actor, 'customer');
        if p_session is not null then
            if v_session.id is null or v_session.customer_id <> p_actor then
                raise exception using errcode = 'UN001', message = format('session %s is not one of user %s', p_session, p_actor);
            end if;
            if v_session.kind <> 'scheduled' or v_session.service_type <> 'online'
               or v_session.status not in ('scheduled', 'pending')
               or v_now >= v_session.scheduled_for + make_interval(mins => v_session.duration_minutes) then
                raise exception using errcode = 'UR001', message = format('session %s takes no online waiver now', p_session);
            end if;
            if v_now < v_session.scheduled_for - make_interval(mins => app.waiver_lead_minutes()) then
                raise exception using errcode = 'UR008',
                    message = format('the waiver of session %s opens %s before its start', p_session, app.duration_words(app.waiver_lead_minutes())),
                    hint = format('The waiver can be signed from %s before the start.', app.duration_words(app.waiver_lead_minutes()));
            end if;
        end if;
        -- a signature of the current remote advice version in the last 30 days is reused, not repeated
        if app.waiver_on_file(p_actor, v_now, 'online') then
            return (select s.id from app.waiver_signatures s
                    where s.customer_id = p_actor and s.version = app.current_waiver_version('online')
                    order by s.signed_at desc limit 1);
        end if;
    else
        -- in person: the workshop's staff hand their tablet to the customer at check-in
        if v_session.id is null or v_session.service_type <> 'in_person'
           or not exists (select 1 from app.workshop_admins a where a.workshop_id = v_session.workshop_id and a.user_id = p_actor) then
            raise exception using errcode = 'UN001', message = format('session %s is not at a workshop of user %s', p_session, p_actor);
        end if;
        if v_session.status <> 'scheduled'
           or v_now >= v_session.scheduled_for + make_interval(mins => v_session.duration_minutes) then
            raise exception using errcode = 'UR001', message = format('session %s takes no check-in waiver now', p_session);
        end if;
        if v_now < v_session.scheduled_for - make_interval(mins => app.waiver_lead_minutes()) then
            raise exception using errcode = 'UR008',
                message = format('the waiver of session %s opens %s before its start', p_session, app.duration_words(app.waiver_lead_minutes())),
                hint = format('The waiver can be signed from %s before the start.', app.duration_words(app.waiver_lead_minutes()));
        end if;
        v_customer := v_session.customer_id;
        -- checked in: the session can start (SPEC §7 scheduled → pending)
        perform app.set_actor(p_actor, 'checked in');
        update app.sessions set status = 'pending' where id = p_session and status = 'scheduled';
    end if;

    -- the text of the session's kind: online sessions and Book Now sign the remote advice waiver, visits the
    -- in-person one (each branch above admits only sessions of its mode's service type)
    insert into app.waiver_signatures (customer_id, session_id, version, mode, signature_png, typed_name, ip, user_agent,
                                       signed_by, signed_at)
    values (v_customer, p_session, app.current_waiver_version(p_mode), p_mode, p_signature_png,
            nullif(btrim(p_typed_name), ''), p_ip, left(p_user_agent, 512), p_actor, v_now)
    returning id into v_id;
    return v_id;
end
$$;
comment on function app.sign_waiver(bigint, bigint, text, bytea, text, inet, text) is
    'Records a signature of the current waiver of the session''s service type (SPEC §12, §20): drawn (PNG) or '
    'typed, with IP and user agent. Online (the remote advice waiver): the customer, before paying for an '
    'immediate session or, for a scheduled online session, from 1 h before its start (waiver_lead_minutes); a signature of the '
    'current remote version from the last 30 days is reused (its id returned). In person (the in-person visit '
    'waiver): the workshop''s staff at check-in, which moves the session to pending; every visit signs its own. '
    'Returns the signature id. Raises UV001/UV013 '
    '(mode, no signature), UN001 (not theirs), UR001 (not now), UR008 (too early), UP001.';
grant execute on function app.sign_waiver(bigint, bigint, text, bytea, text, inet, text) to autodoctor_app;
