create or replace function app.clear_draft(p_actor bigint, p_flow text default null) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'customer');
    -- files uploaded into a draft that was never booked go with it
    delete from app.attachments a
    where a.customer_id = p_actor and a.session_id is null and a.draft_flow = coalesce(p_flow, a.draft_flow);
    -- a hold taken in the draft goes back with it (a booked one is confirmed, not reserved, and stays)
    update app.slot_reservations r set status = 'cancelled', released_at = app.app_now()
    from app.booking_drafts d
    where d.customer_id = p_actor and (p_flow is null or d.flow = p_flow)
      and r.id = d.hold_id and r.customer_id = p_actor and r.status = 'reserved';
    delete from app.booking_drafts d where d.customer_id = p_actor and (p_flow is null or d.flow = p_flow);
end
$$;
comment on function app.clear_draft(bigint, text) is
    'Forgets the acting customer''s wizard draft (one flow, or both), with the files uploaded into it and '
    'never booked, and gives back a hold taken in it. Raises UP001.';
grant execute on function app.clear_draft(bigint, text) to autodoctor_app;
