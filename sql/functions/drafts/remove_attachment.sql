create or replace function app.remove_attachment(p_actor bigint, p_flow text, p_attachment bigint) returns boolean
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'customer');
    -- only a file of this draft that no session has taken yet
    delete from app.attachments a
    where a.id = p_attachment and a.customer_id = p_actor and a.draft_flow = p_flow and a.session_id is null;
    if not found then
        raise exception using errcode = 'UN001', message = format('attachment %s is not in a draft of customer %s', p_attachment, p_actor);
    end if;
    update app.booking_drafts d set updated_at = app.app_now() where d.customer_id = p_actor and d.flow = p_flow;
    return true;
end
$$;
comment on function app.remove_attachment(bigint, text, bigint) is
    'Takes a photo or video out of the acting customer''s wizard draft (flow book or schedule) and deletes it. '
    'Raises UP001, UN001 (not a file of their draft).';
grant execute on function app.remove_attachment(bigint, text, bigint) to autodoctor_app;
