create or replace function app.list_workshops(p_actor bigint, p_workshop bigint default null)
returns table (
    id bigint, name text, street text, city text, province text, postal_code text, country text, phone text,
    timezone text, stripe_account_id text, created_at timestamptz, admins integer, mechanics integer
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'admin');
    return query
        select w.id, w.name, w.street, w.city, w.province, w.postal_code, w.country, w.phone, w.timezone,
               w.stripe_account_id, w.created_at,
               (select count(*) from app.workshop_admins a where a.workshop_id = w.id)::integer,
               (select count(*) from app.mechanics m where m.workshop_id = w.id)::integer
        from app.workshops w
        where p_workshop is null or w.id = p_workshop
        order by lower(w.name), w.id;
    if p_workshop is not null and not found then
        raise exception using errcode = 'UN001', message = format('no workshop %s', p_workshop);
    end if;
end
$$;
comment on function app.list_workshops(bigint, bigint) is
    'Every workshop (or the one asked for) for the platform admin, by name: address, zone, Stripe account, and '
    'how many admins and mechanics it has. Raises UP001 (not a platform admin), UN001 (no such workshop).';
grant execute on function app.list_workshops(bigint, bigint) to autodoctor_app;
