create or replace function app.draft_files_fit(p_actor bigint, p_flow text, p_adding integer) returns boolean
language sql stable
as $$
    select coalesce(jsonb_array_length((select d.data->'attachments' from app.booking_drafts d
                                        where d.customer_id = p_actor and d.flow = p_flow)), 0)
           + greatest(coalesce(p_adding, 0), 0) <= 5;
$$;
comment on function app.draft_files_fit(bigint, text, integer) is
    'Whether a draft can take p_adding more photos or videos: at most 5 per booking (SPEC §3.1).';
