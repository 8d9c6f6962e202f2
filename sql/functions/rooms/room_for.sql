create or replace function app.room_for(p_actor bigint, p_session bigint)
returns table (
    id bigint, side text, status text, kind text, is_open boolean, plan_name text, duration_minutes integer,
    scheduled_for timestamptz, started_at timestamptz, ends_at timestamptz, ended_at timestamptz,
    customer_name text, mechanic_name text, other_name text, vehicle text, advice_only boolean,
    concern text, summary text, attachments jsonb, last_seq integer, last_read_seq integer
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_session app.sessions := app.room_party(p_session, p_actor);
    v_side text := case when v_session.customer_id = p_actor then 'customer' else 'mechanic' end;
begin
    perform app.require_actor(p_actor);
    return query
        select v_session.id, v_side, v_session.status, v_session.kind, app.room_is_open(v_session), pl.name,
               v_session.duration_minutes, v_session.scheduled_for, v_session.started_at,
               coalesce(v_session.started_at, v_session.scheduled_for) + make_interval(mins => v_session.duration_minutes),
               v_session.ended_at, cu.name, mu.name,
               case v_side when 'customer' then mu.name else cu.name end,
               case when v.id is not null then v.year || ' ' || v.make || ' ' || v.model end,
               v_session.advice_only, v_session.concern, v_session.summary,
               coalesce((select jsonb_agg(jsonb_build_object('id', a.id, 'filename', a.filename,
                                                             'content_type', a.content_type) order by a.id)
                         from app.attachments a where a.session_id = v_session.id), '[]'),
               coalesce((select max(m.seq) from app.session_messages m where m.session_id = v_session.id), 0),
               coalesce((select r.last_read_seq from app.session_room_reads r
                         where r.session_id = v_session.id and r.user_id = p_actor), 0)
        from app.plans pl
        join app.users cu on cu.id = v_session.customer_id
        left join app.users mu on mu.id = v_session.mechanic_id
        left join app.vehicles v on v.id = v_session.vehicle_id
        where pl.code = v_session.plan_code;
end
$$;
comment on function app.room_for(bigint, bigint) is
    'A session''s room as one of its two parties sees it: which side they are, the status and whether the '
    'room is open, the plan''s clock (ends_at: the start, or the booked time until it starts, plus the plan''s '
    'minutes), both names, the concern and its files, the summary, the last message and how far they read. '
    'Raises UN001 for anyone else.';
grant execute on function app.room_for(bigint, bigint) to autodoctor_app;
