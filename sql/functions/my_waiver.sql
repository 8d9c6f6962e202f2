create or replace function app.my_waiver(p_actor bigint)
returns table (version integer, title text, body text, on_file boolean, signed_at timestamptz)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'customer');
    return query
        select v.version, v.title, v.body, app.waiver_on_file(p_actor, app.app_now()),
               (select max(s.signed_at) from app.waiver_signatures s where s.customer_id = p_actor and s.version = v.version)
        from app.waiver_versions v
        where v.version = app.current_waiver_version();
end
$$;
comment on function app.my_waiver(bigint) is
    'The current waiver text, and whether the acting customer''s signature of it (last 30 days) is on file. '
    'Raises UP001.';
grant execute on function app.my_waiver(bigint) to autodoctor_app;
