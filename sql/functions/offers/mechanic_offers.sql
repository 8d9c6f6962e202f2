create or replace function app.mechanic_offers(p_actor bigint)
returns table (
    session_id bigint, kind text, offer_kind text, service_type text, plan_name text, duration_minutes integer,
    starts_at timestamptz, answer_by timestamptz, timezone text, customer_first_name text, vehicle text,
    advice_only boolean, concern_category text, concern text, is_urgent boolean, reasons text[],
    workshop_name text, offered_at timestamptz
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_now timestamptz := app.app_now();
begin
    perform app.require_role(p_actor, 'mechanic');
    return query
        with inbox as (
            -- immediate sessions: offered to this mechanic, or the broadcast while they are online and have not
            -- declined it (what accept_offer would take)
            select s.id, 'live_now'::text as kind, o.kind as offer_kind, o.reasons, o.created_at as offered_at,
                   app.answer_deadline(s) as answer_by
            from app.sessions s
            join app.session_offers o on o.session_id = s.id and o.status = 'open'
            where s.kind = 'immediate' and s.status = 'pending' and s.mechanic_id is null
              and (o.mechanic_id = p_actor
                   or (o.kind = 'broadcast' and o.mechanic_id is null
                       and exists (select 1 from app.mechanics m where m.id = p_actor and m.currently_on_shift)
                       and not exists (select 1 from app.session_offers x
                                       where x.session_id = s.id and x.mechanic_id = p_actor)))
            union all
            -- booking requests waiting for this mechanic (instant booking off)
            select s.id, 'request', null, '{}', s.created_at, app.answer_deadline(s)
            from app.sessions s
            where s.mechanic_id = p_actor and s.status = 'requested'
        )
        select s.id, i.kind, i.offer_kind, s.service_type, s.plan_name, s.duration_minutes, s.scheduled_for, i.answer_by,
               m.timezone, s.customer_first_name, s.vehicle, s.advice_only,
               s.concern_category, s.concern, s.is_urgent, i.reasons, s.workshop_name, i.offered_at
        from inbox i
        join app.session_rows() s on s.id = i.id
        join app.mechanics m on m.id = p_actor
        where i.answer_by > v_now  -- past it, nobody may take it (answer_deadline) and the job expires it
        order by i.kind = 'live_now' desc, i.answer_by, s.id;
end
$$;
comment on function app.mechanic_offers(bigint) is
    'The acting mechanic''s offers inbox (SPEC §4): immediate sessions offered to them (targeted, or the '
    'broadcast while they are online and have not declined it) and booking requests awaiting their answer, '
    'live ones first, then by the time an answer is due. Each shows the customer''s first name, vehicle, '
    'concern, plan and the match reasons; times in the mechanic''s zone. Raises UP001 for non-mechanics.';
grant execute on function app.mechanic_offers(bigint) to autodoctor_app;
