create or replace function app.tg_sessions__close_offers() returns trigger
language plpgsql
as $$
begin
    update app.session_offers set status = 'withdrawn', responded_at = app.app_now()
    where session_id = new.id and status = 'open';
    update app.visit_counter_offers set status = 'withdrawn' where session_id = new.id and status = 'pending';
    return null;
end
$$;
comment on function app.tg_sessions__close_offers() is
    'A session cancelled or expired withdraws the offers still open to mechanics and the workshop''s open '
    'counter-offer.';

create or replace trigger tg_sessions__close_offers
    after update of status on app.sessions
    for each row when (new.status in ('cancelled', 'expired') and new.status <> old.status)
    execute function app.tg_sessions__close_offers();
