create or replace function app.add_attachment(p_actor bigint, p_flow text, p_filename text, p_data bytea)
returns table (attachment_id bigint, filename text, content_type text, size_bytes integer)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_type text := app.media_type(p_data);
    v_id bigint;
begin
    perform app.require_role(p_actor, 'customer');
    -- one upload of a customer at a time: parallel uploads each counted the draft before any was added to it
    perform 1 from app.customers c where c.id = p_actor for no key update;
    if v_type is null then
        raise exception using errcode = 'UV014', column = 'files', message = 'only photos (JPEG, PNG, GIF, WebP) and videos (MP4, MOV, WebM)';
    end if;
    if not app.draft_files_fit(p_actor, p_flow, 1) then
        raise exception using errcode = 'UV015', column = 'files',
            message = format('at most %s photos or videos', app.draft_files_limit());
    end if;
    perform app.draft_for_update(p_actor, p_flow);
    update app.booking_drafts d set updated_at = app.app_now() where d.customer_id = p_actor and d.flow = p_flow;
    insert into app.attachments (customer_id, draft_flow, filename, content_type, size_bytes, data, created_at)
    values (p_actor, p_flow, left(coalesce(nullif(btrim(regexp_replace(p_filename, '^.*[\\/]', '')), ''), 'upload'), 200),
            v_type, octet_length(p_data), p_data, app.app_now())
    returning id into v_id;
    return query select a.id, a.filename, a.content_type, a.size_bytes from app.attachments a where a.id = v_id;
end
$$;
comment on function app.add_attachment(bigint, text, text, bytea) is
    'Keeps a photo or video for the concern in the customer''s wizard draft: the type is read from the '
    'content, images up to 10 MB and videos up to 50 MB, at most draft_files_limit() per booking, counted under a lock on the '
    'customer so that parallel uploads cannot pass it. Raises UP001, UV014 (type), UV015 (too many), '
    'attachments_size_limit.';
grant execute on function app.add_attachment(bigint, text, text, bytea) to autodoctor_app;
