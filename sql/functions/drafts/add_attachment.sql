create or replace function app.add_attachment(p_actor bigint, p_flow text, p_filename text, p_data bytea)
returns table (attachment_id bigint, filename text, content_type text, size_bytes integer)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_type text := app.media_type(p_data);
    v_draft jsonb;
    v_id bigint;
begin
    perform app.require_role(p_actor, 'customer');
    -- one upload of a customer at a time: parallel uploads each counted the draft before any was added to it
    perform 1 from app.customers c where c.id = p_actor for no key update;
    v_draft := app.my_draft(p_actor, p_flow);
    if v_type is null then
        raise exception using errcode = 'UV014', column = 'files', message = 'only photos (JPEG, PNG, GIF, WebP) and videos (MP4, MOV, WebM)';
    end if;
    if not app.draft_files_fit(p_actor, p_flow, 1) then
        raise exception using errcode = 'UV015', column = 'files', message = 'at most 5 photos or videos';
    end if;
    insert into app.attachments (customer_id, filename, content_type, size_bytes, data, created_at)
    values (p_actor, left(coalesce(nullif(btrim(regexp_replace(p_filename, '^.*[\\/]', '')), ''), 'upload'), 200), v_type,
            octet_length(p_data), p_data, app.app_now())
    returning id into v_id;
    perform app.save_draft(p_actor, p_flow, jsonb_build_object('attachments', coalesce(v_draft->'attachments', '[]') || to_jsonb(v_id)));
    return query select a.id, a.filename, a.content_type, a.size_bytes from app.attachments a where a.id = v_id;
end
$$;
comment on function app.add_attachment(bigint, text, text, bytea) is
    'Keeps a photo or video for the concern in the customer''s wizard draft: the type is read from the '
    'content, images up to 10 MB and videos up to 50 MB, at most 5 per booking, counted under a lock on the '
    'customer so that parallel uploads cannot pass it. Raises UP001, UV014 (type), UV015 (too many), '
    'attachments_size_limit.';
grant execute on function app.add_attachment(bigint, text, text, bytea) to autodoctor_app;
