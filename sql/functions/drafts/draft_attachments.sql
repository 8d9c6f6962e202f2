create or replace function app.draft_attachments(p_actor bigint, p_flow text)
returns table (attachment_id bigint, filename text, content_type text, size_bytes integer)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_actor(p_actor);
    return query
        select a.id, a.filename, a.content_type, a.size_bytes
        from app.attachments a
        where a.customer_id = p_actor and a.draft_flow = p_flow and a.session_id is null
        order by a.id;
end
$$;
comment on function app.draft_attachments(bigint, text) is
    'The photos and videos in the acting customer''s wizard draft. Raises UP001.';
grant execute on function app.draft_attachments(bigint, text) to autodoctor_app;
