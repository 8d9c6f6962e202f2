create or replace function app.answer_counter_offer(p_actor bigint, p_offer bigint, p_accept boolean) returns text
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_offer app.visit_counter_offers;
    v_session app.sessions;
begin
    perform app.require_role(p_actor, 'customer');
    select o.* into v_offer from app.visit_counter_offers o where o.id = p_offer;
    select s.* into v_session from app.sessions s where s.id = v_offer.session_id and s.customer_id = p_actor for update;
    if v_session.id is null or v_offer.status <> 'pending' or p_accept is null then
        raise exception using errcode = 'UN001', message = format('no open counter-offer %s for user %s', p_offer, p_actor);
    end if;
    if p_accept and v_offer.proposed_start <= app.app_now() then
        raise exception using errcode = 'UR061', message = format('counter-offer %s has passed', p_offer);
    end if;
    -- answered first: cancelling the visit below would otherwise withdraw it (tg_sessions__close_offers)
    update app.visit_counter_offers set status = case when p_accept then 'accepted' else 'declined' end where id = p_offer;
    if p_accept then
        perform app.set_actor(p_actor, 'accepted the workshop''s proposed time');
        if v_session.status = 'requested' then
            update app.sessions set status = 'scheduled' where id = v_session.id returning * into v_session;
        end if;
        begin
            v_session := app.move_session_claim(v_session, v_offer.mechanic_id, v_offer.proposed_start);
        exception when sqlstate 'UC001' or sqlstate 'UC002' or sqlstate 'UR002' then
            raise exception using errcode = 'UC062', message = format('counter-offer %s: its time was taken since', p_offer);
        end;
    else
        perform app.set_actor(p_actor, 'declined the workshop''s proposed time');
        if v_session.status = 'requested' then
            -- the time asked for was not possible and the other was not wanted: everything back
            update app.sessions
            set status = 'cancelled', cancel_reason = 'You declined the time the workshop proposed.'
            where id = v_session.id
            returning * into v_session;
            perform app.apply_policy_outcome(v_session, 'workshop');
        end if;
    end if;
    perform app.notify_workshop(v_session.workshop_id, 'visit_counter_answered',
                                jsonb_build_object('session_id', v_session.id, 'accepted', p_accept,
                                                   'proposed_start', v_offer.proposed_start),
                                v_session.id, format('counter-answer-%s', p_offer));
    return v_session.status;
end
$$;
comment on function app.answer_counter_offer(bigint, bigint, boolean) is
    'The customer answers the workshop''s proposed time (SPEC §11). Accepting moves the visit there with the '
    'mechanic the workshop checked (a new confirmed claim, the invite''s sequence up) and confirms a request; '
    'declining cancels a request with a full refund, or keeps a confirmed visit at its time. The workshop is '
    'told. Returns the visit''s status. Raises UP001, UN001 (not their open counter-offer), UR061 (passed), '
    'and UC062 (its time taken since; the offer stays open).';
grant execute on function app.answer_counter_offer(bigint, bigint, boolean) to autodoctor_app;
