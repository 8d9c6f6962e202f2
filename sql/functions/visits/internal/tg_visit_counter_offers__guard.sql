create or replace function app.tg_visit_counter_offers__guard() returns trigger
language plpgsql
as $$
begin
    if old.status <> 'pending' or new.status = 'pending' then
        raise exception using errcode = 'UR001',
            message = format('counter-offer %s cannot go from %s to %s', old.id, old.status, new.status);
    end if;
    if (new.session_id, new.proposed_start, new.mechanic_id, new.proposed_by) is distinct from
       (old.session_id, old.proposed_start, old.mechanic_id, old.proposed_by) then
        raise exception using errcode = 'UR001', message = format('counter-offer %s cannot be rewritten', old.id);
    end if;
    new.answered_at := app.app_now();
    return new;
end
$$;
comment on function app.tg_visit_counter_offers__guard() is
    'SPEC §11: a counter-offer is answered once (pending → accepted, declined or withdrawn, stamped) and its '
    'proposal never changes; anything else is refused (UR001).';

create or replace trigger tg_visit_counter_offers__guard
    before update on app.visit_counter_offers
    for each row execute function app.tg_visit_counter_offers__guard();
