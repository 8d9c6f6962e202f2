create or replace function app.tg_sessions__close_offers() returns trigger
language plpgsql
as $$
begin
    update app.session_offers set status = 'withdrawn', responded_at = app.app_now()
    where session_id = new.id and status = 'open';
    -- a workshop's proposal is for a visit as it stood: confirmed, checked in, over or cancelled, it lapses
    update app.visit_counter_offers set status = 'withdrawn' where session_id = new.id and status = 'pending';
    return null;
end
$$;
comment on function app.tg_sessions__close_offers() is
    'Any change of a session''s status withdraws what is still open about it: the offers to mechanics and the '
    'workshop''s counter-offer (an accepted one is answered before the visit''s status moves).';

create or replace trigger tg_sessions__close_offers
    after update of status on app.sessions
    for each row when (new.status <> old.status)
    execute function app.tg_sessions__close_offers();
