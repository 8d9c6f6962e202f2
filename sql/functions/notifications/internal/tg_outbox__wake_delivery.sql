create or replace function app.tg_outbox__wake_delivery() returns trigger
language plpgsql
as $$
begin
    perform pg_notify('outbox', '');
    return null;
end
$$;
comment on function app.tg_outbox__wake_delivery() is
    'Wakes the delivery job when the transaction that queued messages commits (one notification a statement, and '
    'PostgreSQL folds a transaction''s alike into one): the leading app process, listening on channel outbox, '
    'delivers them at once rather than at the job''s next minute (jobs.JobRunner).';

create or replace trigger tg_outbox__wake_delivery
    after insert on app.outbox
    for each statement execute function app.tg_outbox__wake_delivery();
