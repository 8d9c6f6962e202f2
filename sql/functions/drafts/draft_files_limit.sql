create or replace function app.draft_files_limit() returns integer
language sql immutable
as $$
    select 5;
$$;
comment on function app.draft_files_limit() is
    'How many photos or videos one booking may carry (SPEC §3.1): draft_files_fit holds a draft to it, and the '
    'wizards'' pages say it.';
grant execute on function app.draft_files_limit() to autodoctor_app;
