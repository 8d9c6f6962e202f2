create or replace function app.schedule_instead(p_actor bigint) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_book jsonb := app.my_draft(p_actor, 'book');
    v_carried jsonb;
begin
    perform app.require_actor(p_actor);
    v_carried := jsonb_strip_nulls(jsonb_build_object(
        'vehicle_id', v_book->'vehicle_id', 'advice_only', v_book->'advice_only', 'plan', v_book->'plan',
        'concern_category', v_book->'concern_category', 'concern', v_book->'concern',
        'attachments', v_book->'attachments', 'carried', true));
    delete from app.booking_drafts where customer_id = p_actor and flow = 'book';
    insert into app.booking_drafts (customer_id, flow, data, updated_at)
    values (p_actor, 'schedule', v_carried, app.app_now())
    on conflict (customer_id, flow) do update set data = excluded.data, updated_at = excluded.updated_at;
    return v_carried;
end
$$;
comment on function app.schedule_instead(bigint) is
    'Book Now found nobody online: carries the vehicle, plan, concern and files the customer entered into a '
    'fresh scheduling draft (marked carried) and forgets the Book Now draft (SPEC §3.1). Returns the new '
    'draft. Raises UP001.';
grant execute on function app.schedule_instead(bigint) to autodoctor_app;
