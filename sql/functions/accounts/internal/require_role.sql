create or replace function app.require_role(p_actor bigint, variadic p_roles text[]) returns void
language plpgsql stable
as $$
begin
    perform app.require_actor(p_actor);
    if not exists (select 1 from app.users where id = p_actor and role = any (p_roles) and deactivated_at is null) then
        raise exception using errcode = 'UP001',
            message = format('user %s may not act as %s', p_actor, array_to_string(p_roles, ' or '));
    end if;
end
$$;
comment on function app.require_role(bigint, text[]) is
    'Raises UA001 unless the acting user is the one bound to this transaction (require_actor), UP001 unless the acting user exists, is not deactivated and has one of the roles. Used by the '
    'functions that act for a person; not callable by the app itself.';
