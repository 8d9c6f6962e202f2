create or replace function app.current_waiver_version(p_service_type text default 'online') returns integer
language sql stable
as $$
    select max(v.version) from app.waiver_versions v
    where v.service_type = p_service_type and v.published_at <= app.app_now();
$$;
comment on function app.current_waiver_version(text) is
    'The waiver version in force now for a service type (SPEC §12, §20: online is the remote advice waiver, '
    'in_person the workshop visit waiver): the newest one of that kind published (a version dated later waits '
    'for its day).';
