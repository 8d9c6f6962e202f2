create or replace function app.concern_categories(p_flow text)
returns table (code text, label text)
language sql stable security definer
set search_path = app, pg_temp
as $$
    select c.code, c.label from app.concern_categories c where c.flow = p_flow order by c.position;
$$;
comment on function app.concern_categories(text) is
    'The concern categories a wizard (book or schedule) offers, in the order shown.';
grant execute on function app.concern_categories(text) to autodoctor_app;
