create or replace function app.actor_signature(p_user bigint) returns text
language plpgsql stable
as $$
begin
    -- valid for this backend and this transaction only: a value copied from another one does not verify
    return p_user || ':' || encode(public.hmac(
        convert_to(p_user || ':' || pg_backend_pid() || ':' || extract(epoch from transaction_timestamp()), 'UTF8'),
        (select k.key from app.actor_signing_key k), 'sha256'), 'hex');
end
$$;
comment on function app.actor_signature(bigint) is
    'The value login_session_of sets in autodoctor.actor for this user: the id and an HMAC of it, this backend and '
    'this transaction''s start under a key only the owner can read (so only functions running as the owner '
    'can compute it). Not callable by the app.';
