-- The session room (SPEC §20): chat, photos and the WebRTC signals between a session's customer and its
-- mechanic are rows of one append-only log per session. seq numbers a session's rows in the order they were
-- committed (post_room_message takes the session's row lock, so no reader can see seq 5 before seq 4), which
-- lets a reader ask for "everything after seq N" and never miss a row.
create table app.session_messages (
    id bigint generated always as identity primary key,
    session_id bigint not null,
    seq integer not null,
    sender_id bigint not null,
    kind text not null,
    body text,
    signal jsonb,
    photo bytea,
    photo_type text,
    created_at timestamptz not null,
    constraint session_messages_session_fkey foreign key (session_id) references app.sessions (id) on delete cascade,
    constraint session_messages_sender_fkey foreign key (sender_id) references app.users (id) on delete restrict,
    constraint session_messages_seq_key unique (session_id, seq),
    constraint session_messages_kind_check check (kind in ('text', 'photo', 'signal')),
    constraint session_messages_shape check (
        (kind = 'text' and body is not null and signal is null and photo is null)
        or (kind = 'photo' and photo is not null and photo_type is not null and signal is null)
        or (kind = 'signal' and signal is not null and body is null and photo is null)),
    constraint session_messages_body_length check (body is null or length(body) between 1 and 2000),
    constraint session_messages_photo_type_check check (
        photo_type is null or photo_type in ('image/jpeg', 'image/png', 'image/gif', 'image/webp')),
    constraint session_messages_photo_size check (photo is null or octet_length(photo) between 1 and 10 * 1024 * 1024),
    constraint session_messages_signal_size check (signal is null or octet_length(signal::text) <= 32 * 1024)
);

-- How far each side has read the chat: the room marks what arrived since as unread.
create table app.session_room_reads (
    session_id bigint not null,
    user_id bigint not null,
    last_read_seq integer not null default 0,
    constraint session_room_reads_pkey primary key (session_id, user_id),
    constraint session_room_reads_session_fkey foreign key (session_id) references app.sessions (id) on delete cascade,
    constraint session_room_reads_user_fkey foreign key (user_id) references app.users (id) on delete cascade
);

-- the mechanic's session page shows the summary beside the room's transcript
drop function if exists app.mechanic_sessions(bigint, bigint);
