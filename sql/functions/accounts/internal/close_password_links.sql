create or replace function app.close_password_links(p_user bigint) returns void
language sql volatile
as $$
    update app.password_tokens set voided_at = app.app_now()
    where user_id = p_user and used_at is null and voided_at is null;
    -- an unsent email would carry a link that no longer works
    update app.outbox set status = 'withdrawn', last_error = 'the link was closed before the email was sent'
    where user_id = p_user and template = 'staff_invite' and status = 'pending';
    -- the token itself stays in the outbox only while its link may still be followed
    update app.outbox set payload = payload - 'token'
    where user_id = p_user and template = 'staff_invite' and payload ? 'token';
$$;
comment on function app.close_password_links(bigint) is
    'Closes every open link of a person to set their password (a newer link, a deactivation, or the link''s '
    'use): open tokens are voided, invitation emails not sent yet are withdrawn, and the tokens are removed '
    'from the invitation emails kept in the outbox. Used by issue_password_token, deactivate_account and '
    'set_password_with_token; not callable by the app.';
