-- Names, addresses and the other one-line fields hold no control characters (issue 16): a name with a line
-- break was stored, then refused as an email header by the mail library, so every message to that person failed.
-- Rows written before this migration have each run of control characters replaced by one space first.
do $$
declare
    c record;
begin
    for c in
        select * from (values
            ('users', 'name'), ('users', 'email'), ('users', 'phone'),
            ('customers', 'city'), ('customers', 'province'), ('customers', 'postal_code'),
            ('mechanics', 'headline'), ('mechanics', 'city'), ('mechanics', 'province'), ('mechanics', 'postal_code'),
            ('workshops', 'name'), ('workshops', 'street'), ('workshops', 'city'), ('workshops', 'province'),
            ('workshops', 'postal_code'), ('workshops', 'phone'),
            ('vehicles', 'make'), ('vehicles', 'model'), ('vehicles', 'plate'), ('vehicles', 'vin'),
            ('waiver_signatures', 'typed_name'), ('attachments', 'filename'),
            ('mechanic_time_off', 'reason'), ('workshop_closures', 'reason')) v(tab, col)
    loop
        execute format('update app.%I set %I = regexp_replace(%I, ''[[:cntrl:]]+'', '' '', ''g'') where %I ~ ''[[:cntrl:]]''',
                       c.tab, c.col, c.col, c.col);
        execute format('alter table app.%I add constraint %I check (%I !~ ''[[:cntrl:]]'')',
                       c.tab, c.tab || '_' || c.col || '_one_line', c.col);
    end loop;
end
$$;
