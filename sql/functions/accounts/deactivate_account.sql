create or replace function app.deactivate_account(p_actor bigint, p_user bigint) returns timestamptz
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_now timestamptz := app.app_now();
    v_role text;
begin
    perform app.require_role(p_actor, 'admin');
    if p_user = p_actor then
        raise exception using errcode = 'UR080', message = format('admin %s may not deactivate themselves', p_actor);
    end if;
    -- the active admins' rows are locked first: two admins deactivating each other at once take turns, and the
    -- second finds that they would leave nobody
    perform 1 from app.users u where u.role = 'admin' and u.deactivated_at is null order by u.id for update;
    update app.users u set deactivated_at = v_now, deactivated_by = p_actor
    where u.id = p_user and u.deactivated_at is null
    returning u.role into v_role;
    if not found then
        if exists (select 1 from app.users u where u.id = p_user) then
            raise exception using errcode = 'UC081', message = format('account %s is already deactivated', p_user);
        end if;
        raise exception using errcode = 'UN001', message = format('no account %s', p_user);
    end if;
    if v_role = 'admin' and not exists (select 1 from app.users u where u.role = 'admin' and u.deactivated_at is null) then
        raise exception using errcode = 'UR081', message = format('account %s is the last active platform admin', p_user);
    end if;
    -- offline at once, and the immediate sessions offered to them go to the others (the broadcast stays open)
    update app.mechanics set currently_on_shift = false where id = p_user and currently_on_shift;
    update app.session_offers set status = 'withdrawn', responded_at = v_now
    where mechanic_id = p_user and status = 'open';
    perform app.close_password_links(p_user);
    perform app.end_login_sessions(p_user, 'revoked_by_admin', p_actor, null);  -- logged out everywhere at once
    return v_now;
end
$$;
comment on function app.deactivate_account(bigint, bigint) is
    'The platform admin deactivates an account (SPEC §20): it can no longer log in (log_in), its log-in sessions '
    'end, and it cannot follow a link to set its password; a mechanic is taken offline, their open offers are withdrawn, and they are in '
    'no list, ranking, offer or free slot until reactivated (see users.deactivated_at). Bookings already made '
    'are kept: account_bookings lists them for the admin. Returns when. Raises UP001 (not a platform admin), '
    'UR080 (their own account), UR081 (the last active platform admin), UN001 (no such account), UC081 '
    '(already deactivated).';
grant execute on function app.deactivate_account(bigint, bigint) to autodoctor_app;
