create or replace function app.forget_stale_drafts() returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_now timestamptz := app.app_now();
    v_drafts integer;
begin
    -- a wizard left without a word (a closed tab, a link elsewhere) forgets itself after a day; its hold lapsed
    -- 15 minutes after it was taken
    with stale as (
        delete from app.booking_drafts d where d.updated_at < v_now - interval '24 hours' returning 1
    )
    select count(*) into v_drafts from stale;
    -- files in no draft and on no session (their draft forgotten, which leaves them in none) are deleted an
    -- hour after their upload
    delete from app.attachments a
    where a.session_id is null and a.draft_flow is null and a.created_at < v_now - interval '1 hour';
    return v_drafts;
end
$$;
comment on function app.forget_stale_drafts() is
    'Timed job (hourly): deletes wizard drafts untouched for 24 hours, and the files that no draft and no '
    'session has, an hour after they were uploaded. Idempotent. Returns how many drafts it forgot.';
