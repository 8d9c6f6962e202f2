create or replace function app.bound_actor() returns bigint
language plpgsql stable
as $$
declare
    v_value text := current_setting('autodoctor.actor', true);
begin
    if v_value ~ '^[0-9]{1,18}:[0-9a-f]{64}$' and app.actor_signature(split_part(v_value, ':', 1)::bigint) = v_value then
        return split_part(v_value, ':', 1)::bigint;
    end if;
    return null;  -- none bound, or a value login_session_of did not set in this transaction
end
$$;
comment on function app.bound_actor() is
    'The user login_session_of (behind acting_user and authenticate) bound to this transaction, or null: the autodoctor.actor setting counts only when its '
    'signature verifies (actor_signature), so setting it by hand binds nobody. Runs inside the granted functions '
    '(as the owner); not callable by the app.';
