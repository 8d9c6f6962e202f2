create or replace function app.reactivate_account(p_actor bigint, p_user bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'admin');
    update app.users u set deactivated_at = null, deactivated_by = null
    where u.id = p_user and u.deactivated_at is not null;
    if not found then
        if exists (select 1 from app.users u where u.id = p_user) then
            raise exception using errcode = 'UC082', message = format('account %s is active', p_user);
        end if;
        raise exception using errcode = 'UN001', message = format('no account %s', p_user);
    end if;
end
$$;
comment on function app.reactivate_account(bigint, bigint) is
    'The platform admin reactivates a deactivated account: the person logs in again with their password, and a '
    'mechanic is listed, ranked, offered and bookable again (they go online themselves). Links closed by the '
    'deactivation stay closed: send a new one. Raises UP001 (not a platform admin), UN001 (no such account), '
    'UC082 (already active).';
grant execute on function app.reactivate_account(bigint, bigint) to autodoctor_app;
