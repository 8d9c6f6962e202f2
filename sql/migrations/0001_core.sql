-- The core schema: people, places, vehicles, plans, weekly schedules, time off, favorites and the clock.
-- Everything lives in schema app, owned by autodoctor_owner. The app role (autodoctor_app) gets no table
-- privileges at all: it reaches data only through the functions granted to it in sql/functions/.

alter default privileges in schema app revoke execute on functions from public;

-- The clock. app_now() (sql/functions/app_now.sql) reads it; tests and demos may freeze it.
create table app.app_clock (
    singleton boolean primary key default true,
    frozen_at timestamptz,
    constraint app_clock_singleton check (singleton)
);
insert into app.app_clock (singleton, frozen_at) values (true, null);

-- IANA zones, from the server's own tz database: a foreign key makes an unknown zone impossible. Only
-- region/city names (and UTC): legacy aliases such as EST or Etc/GMT+5 mislead more than they help.
create table app.time_zones (
    name text primary key
);
insert into app.time_zones (name)
select name from pg_timezone_names
where name ~ '^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Za-z]'
   or name = 'UTC';

-- Local wall-clock ranges within a day: weekly blocks and workshop hours ('24:00' closes a day).
create type app.timerange as range (subtype = time);

-- A North American VIN: 17 characters without I, O or Q, and the check digit in position 9.
create function app.vin_is_valid(vin text) returns boolean
language sql immutable strict parallel safe
set search_path = app, pg_temp
as $$
    select vin ~ '^[A-HJ-NPR-Z0-9]{17}$'
       and substr(vin, 9, 1) = (
           select case when total % 11 = 10 then 'X' else (total % 11)::text end
           from (
               select sum(
                   (case
                        when ch ~ '[0-9]' then ch::int
                        else (string_to_array('1,2,3,4,5,6,7,8,0,1,2,3,4,5,0,7,0,9,2,3,4,5,6,7,8,9', ',')
                              )[ascii(ch) - ascii('A') + 1]::int
                    end)
                   * (array[8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2])[pos]
               ) as total
               from unnest(string_to_array(vin, null)) with ordinality as chars(ch, pos)
           ) as weighted
       )
$$;
comment on function app.vin_is_valid(text) is
    'True when the text is a 17-character VIN (no I, O, Q) whose 9th character is the ISO 3779 check digit.';

create table app.users (
    id bigint generated always as identity primary key,
    email text not null,
    password_hash text not null,
    role text not null,
    name text not null,
    phone text,
    timezone text not null default 'America/Toronto',
    created_at timestamptz not null default now(),
    constraint users_role_check check (role in ('customer', 'mechanic', 'workshop_admin', 'admin')),
    constraint users_email_format check (length(email) <= 254 and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    constraint users_name_present check (length(btrim(name)) between 1 and 120),
    constraint users_phone_format check (phone is null or phone ~ '^\+?[0-9 ().-]{7,20}$'),
    constraint users_password_hash_present check (length(password_hash) >= 20),
    constraint users_timezone_fkey foreign key (timezone) references app.time_zones (name) on delete restrict,
    -- lets role-specific tables insist on the role with a composite foreign key
    constraint users_id_role_key unique (id, role)
);
create unique index users_email_key on app.users (lower(email));

create table app.customers (
    id bigint primary key,
    role text not null default 'customer',
    city text,
    province text,
    postal_code text,
    country text not null default 'CA',
    constraint customers_role_check check (role = 'customer'),
    constraint customers_user_fkey foreign key (id, role) references app.users (id, role)
        on delete cascade on update restrict,
    constraint customers_country_check check (country in ('CA', 'US')),
    constraint customers_city_length check (city is null or length(city) between 1 and 80),
    constraint customers_province_length check (province is null or length(province) between 2 and 40),
    constraint customers_postal_code_format check (
        postal_code is null
        or (country = 'CA' and postal_code ~ '^[A-Z][0-9][A-Z] [0-9][A-Z][0-9]$')
        or (country = 'US' and postal_code ~ '^[0-9]{5}(-[0-9]{4})?$'))
);

create table app.vehicles (
    id bigint generated always as identity primary key,
    customer_id bigint not null,
    year smallint not null,
    make text not null,
    model text not null,
    vin text,
    odometer_km integer,
    plate text,
    created_at timestamptz not null default now(),
    constraint vehicles_customer_fkey foreign key (customer_id) references app.customers (id) on delete cascade,
    constraint vehicles_year_range check (year between 1900 and 2100),
    constraint vehicles_make_present check (length(btrim(make)) between 1 and 40),
    constraint vehicles_model_present check (length(btrim(model)) between 1 and 60),
    constraint vehicles_vin_valid check (vin is null or app.vin_is_valid(vin)),
    constraint vehicles_odometer_range check (odometer_km is null or odometer_km between 0 and 2000000),
    constraint vehicles_plate_format check (plate is null or plate ~ '^[A-Z0-9][A-Z0-9 -]{0,9}$'),
    constraint vehicles_vin_unique unique (customer_id, vin)
);
create index vehicles_customer_idx on app.vehicles (customer_id);

create table app.workshops (
    id bigint generated always as identity primary key,
    name text not null,
    street text not null,
    city text not null,
    province text not null,
    postal_code text not null,
    country text not null default 'CA',
    phone text,
    timezone text not null,
    stripe_account_id text,
    created_at timestamptz not null default now(),
    constraint workshops_name_present check (length(btrim(name)) between 1 and 120),
    constraint workshops_country_check check (country in ('CA', 'US')),
    constraint workshops_timezone_fkey foreign key (timezone) references app.time_zones (name) on delete restrict,
    constraint workshops_stripe_account_format check (stripe_account_id is null or stripe_account_id ~ '^acct_[A-Za-z0-9]+$')
);

create table app.workshop_admins (
    workshop_id bigint not null,
    user_id bigint not null,
    role text not null default 'workshop_admin',
    constraint workshop_admins_pkey primary key (workshop_id, user_id),
    constraint workshop_admins_role_check check (role = 'workshop_admin'),
    constraint workshop_admins_workshop_fkey foreign key (workshop_id) references app.workshops (id) on delete cascade,
    constraint workshop_admins_user_fkey foreign key (user_id, role) references app.users (id, role)
        on delete cascade on update restrict
);
create index workshop_admins_user_idx on app.workshop_admins (user_id);

-- The mechanic type of SPEC §1 follows from workshop, account type and partnership; the CHECK keeps the three
-- consistent so that the type is never ambiguous.
create table app.mechanics (
    id bigint primary key,
    role text not null default 'mechanic',
    workshop_id bigint,
    account_type text not null default 'individual_mechanic',
    partnership_type text not null default 'none',
    headline text,
    bio text,
    specialties text[] not null default '{}',
    brands text[] not null default '{}',
    years_experience smallint not null default 0,
    rating numeric(2, 1),
    rating_count integer not null default 0,
    city text,
    province text,
    postal_code text,
    timezone text not null,
    currently_on_shift boolean not null default false,
    last_seen_at timestamptz,
    stripe_account_id text,
    created_at timestamptz not null default now(),
    constraint mechanics_role_check check (role = 'mechanic'),
    constraint mechanics_user_fkey foreign key (id, role) references app.users (id, role)
        on delete cascade on update restrict,
    constraint mechanics_workshop_fkey foreign key (workshop_id) references app.workshops (id) on delete restrict,
    constraint mechanics_account_type_check check (account_type in ('individual_mechanic', 'workshop_mechanic')),
    constraint mechanics_partnership_type_check check (partnership_type in ('none', 'owner', 'employee', 'contractor')),
    constraint mechanics_type_consistent check (
        (workshop_id is null and account_type = 'individual_mechanic' and partnership_type = 'none')
        or (workshop_id is not null and account_type = 'individual_mechanic' and partnership_type = 'owner')
        or (workshop_id is not null and account_type = 'workshop_mechanic' and partnership_type in ('employee', 'contractor'))),
    constraint mechanics_years_experience_range check (years_experience between 0 and 70),
    constraint mechanics_rating_range check (rating is null or rating between 0 and 5),
    constraint mechanics_rating_count_positive check (rating_count >= 0),
    constraint mechanics_timezone_fkey foreign key (timezone) references app.time_zones (name) on delete restrict,
    constraint mechanics_stripe_account_format check (stripe_account_id is null or stripe_account_id ~ '^acct_[A-Za-z0-9]+$')
);
create index mechanics_workshop_idx on app.mechanics (workshop_id) where workshop_id is not null;
create index mechanics_on_shift_idx on app.mechanics (id) where currently_on_shift;

create table app.mechanic_settings (
    mechanic_id bigint primary key,
    buffer_minutes smallint not null default 15,
    min_notice_minutes integer not null default 120,
    max_advance_days smallint not null default 30,
    instant_booking boolean not null default true,
    slot_interval_minutes smallint not null default 30,
    constraint mechanic_settings_mechanic_fkey foreign key (mechanic_id) references app.mechanics (id) on delete cascade,
    constraint mechanic_settings_buffer_range check (buffer_minutes between 0 and 240),
    constraint mechanic_settings_notice_range check (min_notice_minutes between 0 and 20160),
    constraint mechanic_settings_advance_range check (max_advance_days between 1 and 365),
    constraint mechanic_settings_interval_check check (slot_interval_minutes in (5, 10, 15, 20, 30, 60))
);

-- Weekly blocks: local wall-clock times in the mechanic's zone; weekday is ISO (1 = Monday ... 7 = Sunday).
create table app.mechanic_availability (
    id bigint generated always as identity primary key,
    mechanic_id bigint not null,
    weekday smallint not null,
    start_time time not null,
    end_time time not null,
    constraint mechanic_availability_mechanic_fkey foreign key (mechanic_id) references app.mechanics (id) on delete cascade,
    constraint mechanic_availability_weekday_range check (weekday between 1 and 7),
    constraint mechanic_availability_order check (end_time > start_time),
    constraint mechanic_availability_whole_minutes check (extract(second from start_time) = 0 and extract(second from end_time) = 0),
    constraint mechanic_availability_no_overlap exclude using gist (
        mechanic_id with =, weekday with =, app.timerange(start_time, end_time) with &&)
);

-- Time off: local dates in the mechanic's zone, both ends included.
create table app.mechanic_time_off (
    id bigint generated always as identity primary key,
    mechanic_id bigint not null,
    start_date date not null,
    end_date date not null,
    reason text,
    status text not null default 'approved',
    created_at timestamptz not null default now(),
    constraint mechanic_time_off_mechanic_fkey foreign key (mechanic_id) references app.mechanics (id) on delete cascade,
    constraint mechanic_time_off_order check (end_date >= start_date),
    constraint mechanic_time_off_status_check check (status in ('approved', 'pending', 'cancelled')),
    constraint mechanic_time_off_reason_length check (reason is null or length(reason) <= 200)
);
create index mechanic_time_off_mechanic_idx on app.mechanic_time_off (mechanic_id, end_date);

-- Opening hours per weekday in the workshop's zone, with an optional break and the in-person capacity.
create table app.workshop_availability (
    workshop_id bigint not null,
    weekday smallint not null,
    is_closed boolean not null default false,
    opens_at time,
    closes_at time,
    break_start time,
    break_end time,
    capacity smallint not null default 5,
    constraint workshop_availability_pkey primary key (workshop_id, weekday),
    constraint workshop_availability_workshop_fkey foreign key (workshop_id) references app.workshops (id) on delete cascade,
    constraint workshop_availability_weekday_range check (weekday between 1 and 7),
    constraint workshop_availability_hours check (
        is_closed or (opens_at is not null and closes_at is not null and closes_at > opens_at)),
    constraint workshop_availability_break check (
        (break_start is null) = (break_end is null)
        and (break_start is null or (break_end > break_start and break_start > opens_at and break_end < closes_at))),
    constraint workshop_availability_capacity_range check (capacity between 1 and 100)
);

-- Days a workshop is closed outside its weekly pattern (holidays), as local dates.
create table app.workshop_closures (
    workshop_id bigint not null,
    closed_on date not null,
    reason text,
    constraint workshop_closures_pkey primary key (workshop_id, closed_on),
    constraint workshop_closures_workshop_fkey foreign key (workshop_id) references app.workshops (id) on delete cascade
);

create table app.plans (
    code text primary key,
    name text not null,
    price_cents integer not null,
    duration_minutes integer not null,
    currency text not null default 'CAD',
    description text not null default '',
    sort_order smallint not null default 0,
    active boolean not null default true,
    constraint plans_code_format check (code ~ '^[a-z][a-z_]{1,30}$'),
    constraint plans_price_positive check (price_cents > 0),
    constraint plans_duration_range check (duration_minutes between 15 and 240 and duration_minutes % 5 = 0),
    constraint plans_currency_check check (currency = 'CAD')
);
insert into app.plans (code, name, price_cents, duration_minutes, description, sort_order) values
    ('standard', 'Standard', 2900, 30, 'A focused 30-minute session: one concern, a clear next step.', 1),
    ('extended', 'Extended', 4900, 45, '45 minutes for a trickier problem or a second opinion on a quote.', 2),
    ('premium', 'Premium', 9900, 60, 'A full hour: deep diagnosis, several concerns or a pre-purchase review.', 3);

create table app.favorites (
    customer_id bigint not null,
    mechanic_id bigint not null,
    created_at timestamptz not null default now(),
    constraint favorites_pkey primary key (customer_id, mechanic_id),
    constraint favorites_customer_fkey foreign key (customer_id) references app.customers (id) on delete cascade,
    constraint favorites_mechanic_fkey foreign key (mechanic_id) references app.mechanics (id) on delete cascade
);
create index favorites_mechanic_idx on app.favorites (mechanic_id);

-- Every log-in attempt, for rate limiting (sql/functions/login_lookup.sql).
create table app.login_attempts (
    id bigint generated always as identity primary key,
    email text not null,
    ip inet,
    succeeded boolean not null,
    attempted_at timestamptz not null,
    constraint login_attempts_email_length check (length(email) <= 254)
);
create index login_attempts_email_idx on app.login_attempts (lower(email), attempted_at);
create index login_attempts_ip_idx on app.login_attempts (ip, attempted_at);
