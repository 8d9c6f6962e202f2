create or replace function app.session_handing_over(p_session bigint) returns boolean
language sql stable
as $$
    select exists (select 1 from app.session_rematches r where r.session_id = p_session and r.resolved_at is null)
$$;
comment on function app.session_handing_over(bigint) is
    'Whether the session''s booked mechanic stepped out of it and rematch_sessions has not yet found another '
    '(SPEC §8): until then nobody may open, start, run or close it but the re-match itself.';
