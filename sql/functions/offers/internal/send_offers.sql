create or replace function app.send_offers(p_session bigint, p_make text) returns integer
language plpgsql volatile
as $$
declare
    v_session app.sessions;
    v_now timestamptz := app.app_now();
    v_targeted integer;
begin
    select * into v_session from app.sessions where id = p_session;
    insert into app.session_offers (session_id, mechanic_id, kind, score, reasons, created_at)
    select p_session, r.mechanic_id, 'targeted', r.score, r.reasons, v_now
    from app.rank_mechanics(v_session.customer_id, p_make, v_session.concern, v_session.request_type, 'online',
                            v_session.intake->>'city', v_session.intake->>'postal_code') r
    where r.online
    order by r.score desc, r.mechanic_id
    limit 3;
    get diagnostics v_targeted = row_count;
    insert into app.session_offers (session_id, mechanic_id, kind, created_at) values (p_session, null, 'broadcast', v_now);
    return v_targeted;
end
$$;
comment on function app.send_offers(bigint, text) is
    'Offers an immediate session to the three best-scoring online mechanics, and to every online mechanic '
    'through one broadcast offer (SPEC §8), ranked from the location the customer gave (intake city and '
    'postal_code) or else their profile''s. Returns how many targeted offers went out.';
