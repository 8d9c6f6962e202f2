create or replace function app.my_waiver(p_actor bigint, p_service_type text default 'online')
returns table (version integer, title text, body text, on_file boolean, signed_at timestamptz)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'customer');
    return query
        select v.version, v.title, v.body, app.waiver_on_file(p_actor, app.app_now(), p_service_type),
               (select max(s.signed_at) from app.waiver_signatures s where s.customer_id = p_actor and s.version = v.version)
        from app.waiver_versions v
        where v.version = app.current_waiver_version(p_service_type);
end
$$;
comment on function app.my_waiver(bigint, text) is
    'The current waiver text of a service type (online: remote advice, the default; in_person: a workshop '
    'visit), and whether the acting customer''s signature of it (last 30 days) is on file. Raises UP001.';
grant execute on function app.my_waiver(bigint, text) to autodoctor_app;
