create or replace function app.draft_files_fit(p_actor bigint, p_flow text, p_adding integer) returns boolean
language sql stable
as $$
    select (select count(*) from app.attachments a
            where a.customer_id = p_actor and a.draft_flow = p_flow and a.session_id is null)
           + greatest(coalesce(p_adding, 0), 0) <= app.draft_files_limit();
$$;
comment on function app.draft_files_fit(bigint, text, integer) is
    'Whether a draft can take p_adding more photos or videos: at most draft_files_limit() per booking (SPEC §3.1).';
