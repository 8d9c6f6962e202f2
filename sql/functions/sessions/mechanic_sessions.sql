create or replace function app.mechanic_sessions(p_actor bigint, p_session bigint default null)
returns table (
    id bigint, kind text, service_type text, status text, plan_name text, duration_minutes integer,
    starts_at timestamptz, ends_at timestamptz, timezone text, day_group text,
    customer_first_name text, vehicle text, advice_only boolean, concern_category text, concern text,
    is_urgent boolean, preparation_notes text, special_requests text, attachments jsonb,
    workshop_name text, workshop_address text, waiver_on_file boolean, earned_cents integer,
    handing_over boolean, can_respond boolean, can_start boolean, can_complete boolean,
    can_no_show boolean, no_show_from timestamptz, can_cancel boolean, cancel_rematches boolean, summary text,
    waiver_lead_words text, join_lead_words text, no_show_grace_words text
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
        with s as (
            select r.*, coalesce(r.scheduled_for, r.started_at, r.accepted_at, r.created_at) as starts,
                   r.mechanic_timezone as zone,
                   app.session_handing_over(r.id) as handing_over
            from app.session_rows() r
            where r.mechanic_id = p_actor and r.mechanic_timezone is not null  -- the mechanic's own row, for the zone
              and (r.id = p_session or (p_session is null and r.status in ('scheduled', 'pending', 'live')))
        )
        select s.id, s.kind, s.service_type, s.status, s.plan_name, s.duration_minutes, s.starts,
               s.starts + make_interval(mins => s.duration_minutes), s.zone,
               case (s.starts at time zone s.zone)::date - (v_now at time zone s.zone)::date
                   when 0 then 'today' when 1 then 'tomorrow'
                   else case when s.starts < v_now then 'today' else 'later' end
               end,
               s.customer_first_name, s.vehicle, s.advice_only, s.concern_category, s.concern, s.is_urgent,
               s.preparation_notes, s.special_requests,
               coalesce((select jsonb_agg(jsonb_build_object('id', a.id, 'filename', a.filename,
                                                             'content_type', a.content_type) order by a.id)
                         from app.attachments a where a.session_id = s.id), '[]'),
               s.workshop_name, s.workshop_address,
               -- online: the remote advice waiver on file; in person: this visit's own check-in signature
               case when s.service_type = 'online' then app.waiver_on_file(s.customer_id, v_now, 'online')
                    else exists (select 1 from app.waiver_signatures g where g.session_id = s.id and g.mode = 'in_person') end,
               (select sum(y.amount_cents) from app.payouts y
                where y.session_id = s.id and y.payee in ('mechanic', 'workshop'))::integer,
               s.handing_over,
               s.status = 'requested',
               s.status = 'pending' and not s.handing_over,
               s.status = 'live' and v_now >= coalesce(app.session_completes_from(s.service_type, s.scheduled_for), '-infinity'),
               s.kind = 'scheduled' and s.status in ('scheduled', 'pending') and not s.handing_over
                   and v_now >= s.scheduled_for + make_interval(mins => app.no_show_grace_minutes()),
               s.scheduled_for + make_interval(mins => app.no_show_grace_minutes()),
               s.status in ('scheduled', 'pending') and not s.handing_over,
               s.kind = 'scheduled' and s.status = 'scheduled' and s.scheduled_for > v_now,
               s.summary, app.duration_words(app.waiver_lead_minutes()), app.duration_words(app.join_lead_minutes()),
               app.duration_words(app.no_show_grace_minutes())
        from s
        order by s.starts, s.id;
    if p_session is not null and not found then
        raise exception using errcode = 'UN001', message = format('session %s is not assigned to mechanic %s', p_session, p_actor);
    end if;
end
$$;
comment on function app.mechanic_sessions(bigint, bigint) is
    'The acting mechanic''s confirmed sessions still to run (scheduled, pending, live), in order, each grouped '
    'today / tomorrow / later in the mechanic''s zone, or, with p_session, that one session in any status. '
    'Each shows the customer''s first name, vehicle, concern, intake notes and files, the waiver (online: on '
    'file; in person: the visit checked in), what the mechanic earned '
    'from it, the summary written at completion, and what may be done now: answer a request, start (pending), complete (live; an in-person visit from its start), mark a no-show '
    '(from 10 min after the start: no_show_grace_minutes), cancel (scheduled or pending; cancel_rematches: a confirmed session not yet '
    'started goes to another mechanic first). A session the mechanic stepped out of shows handing_over until '
    're-matched. The customer''s waiver and join lead times and the no-show grace come in words for the page. Raises UP001, and UN001 when the session asked for is not theirs.';
grant execute on function app.mechanic_sessions(bigint, bigint) to autodoctor_app;
