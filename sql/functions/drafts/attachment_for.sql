create or replace function app.attachment_for(p_actor bigint, p_attachment bigint)
returns table (filename text, content_type text, data bytea)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_actor(p_actor);
    return query
        select a.filename, a.content_type, a.data
        from app.attachments a
        left join app.sessions s on s.id = a.session_id
        where a.id = p_attachment
          and (a.customer_id = p_actor or app.session_actor_side(s, p_actor) in ('mechanic', 'workshop'));
    if not found then
        raise exception using errcode = 'UN001', message = format('attachment %s is not shown to user %s', p_attachment, p_actor);
    end if;
end
$$;
comment on function app.attachment_for(bigint, bigint) is
    'An uploaded file, only for the customer who sent it, the session''s mechanic, or its workshop''s staff '
    '(SPEC §16). Raises UN001 for anyone else.';
grant execute on function app.attachment_for(bigint, bigint) to autodoctor_app;
