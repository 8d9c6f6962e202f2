create or replace function app.media_type(p_data bytea) returns text
language sql immutable strict
as $$
    select case
        when substring(p_data from 1 for 3) = '\xffd8ff'::bytea then 'image/jpeg'
        when substring(p_data from 1 for 8) = '\x89504e470d0a1a0a'::bytea then 'image/png'
        when substring(p_data from 1 for 6) in ('GIF87a'::bytea, 'GIF89a'::bytea) then 'image/gif'
        when substring(p_data from 1 for 4) = 'RIFF'::bytea and substring(p_data from 9 for 4) = 'WEBP'::bytea then 'image/webp'
        when substring(p_data from 5 for 4) = 'ftyp'::bytea and substring(p_data from 9 for 4) = 'qt  '::bytea then 'video/quicktime'
        when substring(p_data from 5 for 4) = 'ftyp'::bytea then 'video/mp4'
        when substring(p_data from 1 for 4) = '\x1a45dfa3'::bytea then 'video/webm'
    end;
$$;
comment on function app.media_type(bytea) is
    'The type of an uploaded photo or video read from its first bytes (JPEG, PNG, GIF, WebP, MP4, QuickTime, '
    'WebM), null for anything else: a file''s name or declared type is never trusted.';
