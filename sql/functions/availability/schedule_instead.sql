create or replace function app.schedule_instead(p_actor bigint) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_book app.booking_drafts;
begin
    perform app.require_role(p_actor, 'customer');
    select * into v_book from app.booking_drafts d where d.customer_id = p_actor and d.flow = 'book' for update;
    insert into app.booking_drafts as d (customer_id, flow, vehicle_id, advice_only, plan_code, concern_category,
                                         concern, carried, updated_at)
    values (p_actor, 'schedule', v_book.vehicle_id, v_book.advice_only, v_book.plan_code, v_book.concern_category,
            v_book.concern, true, app.app_now())
    on conflict (customer_id, flow) do update
        set service_type = null, vehicle_id = excluded.vehicle_id, advice_only = excluded.advice_only,
            plan_code = excluded.plan_code, request_type = null, mechanic_id = null, any_mechanic = null, hold_id = null,
            concern_category = excluded.concern_category, concern = excluded.concern, is_urgent = null,
            preparation_notes = null, special_requests = null, city = null, postal_code = null, search_tab = null,
            located = null, reminders = null, another = null, carried = true, from_session_id = null,
            updated_at = excluded.updated_at;
    -- the files go with the concern; those of the Schedule draft it replaces are left in none (forget_stale_drafts)
    update app.attachments a set draft_flow = null
    where a.customer_id = p_actor and a.draft_flow = 'schedule' and a.session_id is null;
    update app.attachments a set draft_flow = 'schedule'
    where a.customer_id = p_actor and a.draft_flow = 'book' and a.session_id is null;
    delete from app.booking_drafts d where d.customer_id = p_actor and d.flow = 'book';
    return app.my_draft(p_actor, 'schedule');
end
$$;
comment on function app.schedule_instead(bigint) is
    'Book Now found nobody online: carries the vehicle, plan, concern and files the customer entered into a '
    'fresh scheduling draft (marked carried) and forgets the Book Now draft (SPEC §3.1). Returns the new '
    'draft. Raises UP001.';
grant execute on function app.schedule_instead(bigint) to autodoctor_app;
