create or replace function app.require_actor(p_actor bigint) returns void
language plpgsql stable
as $$
begin
    if not app.trusted_caller() and (p_actor is null or app.bound_actor() is distinct from p_actor) then
        raise exception using errcode = 'UA001',
            message = format('user %s is not the actor bound to this transaction', p_actor);
    end if;
end
$$;
comment on function app.require_actor(bigint) is
    'Raises UA001 unless p_actor is the user acting_user bound to this transaction (the owner and the payments '
    'role are trusted_caller and skip it). The first thing every function that acts for a person does, '
    'through require_role or directly. Not callable by the app.';
