create or replace function app.draft_choose_reminders(p_actor bigint, p_flow text, p_reminders text[]) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_draft app.booking_drafts;
begin
    perform app.require_role(p_actor, 'customer');
    perform app.draft_for_update(p_actor, p_flow);
    update app.booking_drafts d set reminders = p_reminders, updated_at = app.app_now()
    where d.customer_id = p_actor and d.flow = p_flow
    returning * into v_draft;
    return app.draft_json(v_draft);
end
$$;
comment on function app.draft_choose_reminders(bigint, text, text[]) is
    'The reminders chosen at Schedule''s review: some of 24h, 1h and 15min (none is a choice too), or null to '
    'forget the choice. Returns the whole draft. Raises UP001, booking_drafts_reminders_check.';
grant execute on function app.draft_choose_reminders(bigint, text, text[]) to autodoctor_app;
