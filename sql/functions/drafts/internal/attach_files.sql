create or replace function app.attach_files(p_session bigint, p_customer bigint, p_intake jsonb) returns void
language sql volatile
as $$
    update app.attachments set session_id = p_session, draft_flow = null
    where customer_id = p_customer and session_id is null
      and id in (select jsonb_array_elements_text(coalesce(p_intake->'attachments', '[]'))::bigint);
$$;
comment on function app.attach_files(bigint, bigint, jsonb) is
    'Gives a new session the photos and videos its customer uploaded while booking (intake.attachments): they '
    'leave their draft.';
