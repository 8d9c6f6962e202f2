create or replace function app.draft_describe_concern(
    p_actor bigint,
    p_flow text,
    p_concern_category text,
    p_concern text,
    p_is_urgent boolean default null,
    p_preparation_notes text default null,
    p_special_requests text default null,
    p_files integer default 0
) returns jsonb
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_concern text := btrim(p_concern, E' \t\n\r\f\x0b');  -- as Python's str.strip
    v_problems text[] := '{}'::text[];
    v_draft app.booking_drafts;
begin
    perform app.require_role(p_actor, 'customer');
    if not exists (select 1 from app.concern_categories c where c.code = p_concern_category and c.flow = p_flow) then
        v_problems := v_problems || 'UV001:concern_category'::text;
    end if;
    if not app.concern_is_described(v_concern, p_is_urgent, p_flow = 'book') then  -- Book Now is immediate
        v_problems := v_problems || 'UV009:concern'::text;
    elsif length(v_concern) > 4000 then
        v_problems := v_problems || 'booking_drafts_concern_length'::text;
    end if;
    if length(btrim(p_preparation_notes, E' \t\n\r\f\x0b')) > 2000 then
        v_problems := v_problems || 'booking_drafts_preparation_notes_length'::text;
    end if;
    if length(btrim(p_special_requests, E' \t\n\r\f\x0b')) > 2000 then
        v_problems := v_problems || 'booking_drafts_special_requests_length'::text;
    end if;
    -- the files sent with the concern are counted before any is kept: all of them fit, or none is taken
    if not app.draft_files_fit(p_actor, p_flow, p_files) then
        v_problems := v_problems || 'UV015:files'::text;
    end if;
    perform app.refuse_fields(v_problems);
    perform app.draft_for_update(p_actor, p_flow);
    update app.booking_drafts d
    set concern_category = p_concern_category, concern = v_concern, is_urgent = p_is_urgent,
        preparation_notes = nullif(btrim(p_preparation_notes, E' \t\n\r\f\x0b'), ''),
        special_requests = nullif(btrim(p_special_requests, E' \t\n\r\f\x0b'), ''),
        updated_at = app.app_now()
    where d.customer_id = p_actor and d.flow = p_flow
    returning * into v_draft;
    return app.draft_json(v_draft);
end
$$;
comment on function app.draft_describe_concern(bigint, text, text, text, boolean, text, text, integer) is
    'The concern step of either wizard: a category the wizard offers (app.concern_categories), a description '
    'of at most 4000 characters that concern_is_described (Book Now''s concerns are immediate), notes and '
    'requests of at most 2000, and room for the p_files photos or videos about to be added (draft_files_fit). Every refused field at once. Returns '
    'the whole draft. Raises UP001, UV000, UV001 (concern_category), UV009 (concern), UV015 (files), '
    'booking_drafts_*_length.';
grant execute on function app.draft_describe_concern(bigint, text, text, text, boolean, text, text, integer) to autodoctor_app;
