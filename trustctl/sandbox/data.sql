-- Data generator: session-local functions (pg_temp), gone when the seeding session ends.
-- pg_temp.seed_tenants(first, last) inserts tenants first..last with everything they own.
-- Deterministic: every id, name, amount and date is a pure function of the tenant number and
-- the row number, so the same size always gives the same database. Tenants vary in size
-- (scale 1..4) like real customers do.

-- Row id: uuid from md5(kind:tenant:n). Tenant t's tenant_id is seed_id('tenant', t, 0).
CREATE FUNCTION pg_temp.seed_id(kind text, t integer, n bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT md5(kind || ':' || t || ':' || n)::uuid $$;

-- A number in [0, modulus) that looks random but is a pure function of its inputs.
CREATE FUNCTION pg_temp.seed_num(t integer, n bigint, salt integer, modulus integer)
    RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ((t::bigint * 2654435761 + n * 40503 + salt * 9973) % modulus)::integer $$;

CREATE FUNCTION pg_temp.seed_pick(options text[], t integer, n bigint, salt integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT options[1 + pg_temp.seed_num(t, n, salt, cardinality(options))] $$;

-- Invoice j of tenant t has three lines; line k costs quantity * price. Used for the invoice
-- total and its payment, so both agree with the lines without reading any table back.
CREATE FUNCTION pg_temp.seed_line_qty(t integer, j bigint, k integer) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (1 + pg_temp.seed_num(t, j, 40 + k, 8))::numeric $$;

CREATE FUNCTION pg_temp.seed_line_price(t integer, j bigint, k integer) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (1500 + pg_temp.seed_num(t, j, 50 + k, 48000))::bigint $$;

CREATE FUNCTION pg_temp.seed_invoice_total(t integer, j bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT sum(pg_temp.seed_line_qty(t, j, k) * pg_temp.seed_line_price(t, j, k))::bigint
          FROM generate_series(1, 3) AS k $$;

CREATE FUNCTION pg_temp.seed_tenants(first_tenant integer, last_tenant integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    epoch constant timestamptz := '2025-01-01 08:00:00+00';
    first_names constant text[] := ARRAY['Ava', 'Ben', 'Chloe', 'Dev', 'Ella', 'Finn', 'Grace',
        'Harun', 'Isla', 'Jack', 'Kemi', 'Liam', 'Maya', 'Noah', 'Olu', 'Priya', 'Rosa', 'Sam'];
    last_names constant text[] := ARRAY['Adams', 'Baker', 'Chen', 'Davies', 'Evans', 'Fofana',
        'Garcia', 'Hughes', 'Iqbal', 'Jones', 'Khan', 'Lewis', 'Murphy', 'Nowak', 'Okafor'];
    trades constant text[] := ARRAY['Plumbing', 'Electrical', 'HVAC', 'Roofing', 'Landscaping',
        'Pest Control', 'Cleaning', 'Handyman', 'Locksmith', 'Solar'];
    streets constant text[] := ARRAY['High Street', 'Station Road', 'Church Lane', 'Mill Road',
        'Park Avenue', 'Victoria Road', 'Green Lane', 'Manor Way', 'Kings Road', 'Queens Drive'];
    cities constant text[] := ARRAY['Leeds', 'Bristol', 'Manchester', 'Cardiff', 'Glasgow',
        'Norwich', 'York', 'Brighton', 'Belfast', 'Exeter'];
    job_titles constant text[] := ARRAY['Boiler service', 'Replace consumer unit',
        'Annual inspection', 'Leak under sink', 'Install heat pump', 'Gutter clearance',
        'Emergency call-out', 'Fit new radiator', 'Rewire kitchen', 'Quote for extension'];
    note_openings constant text[] := ARRAY['Arrived on site, customer present.',
        'Parts ordered from supplier, expected Thursday.', 'Access via side gate, dog in garden.',
        'Customer asked for a revised quote before we continue.', 'Finished ahead of schedule.',
        'Found corrosion on the fittings; photos attached.', 'Rescheduled at customer request.'];
    cost_items constant text[] := ARRAY['Copper pipe 15mm', 'Labour (hours)', 'Van mileage',
        'Thermostatic valve', 'Scaffold hire', 'Cable 2.5mm twin and earth', 'Sealant',
        'Subcontracted electrician', 'Skip hire', 'Fixings and consumables'];
BEGIN
    -- scale s = 1 + t % 4: s*2+4 users, 30*s customers, 90*s jobs
    INSERT INTO tenants (tenant_id, name, slug, plan, created_at)
    SELECT pg_temp.seed_id('tenant', t, 0),
           format('%s %s %s', pg_temp.seed_pick(last_names, t, 0, 1),
                  pg_temp.seed_pick(trades, t, 0, 2), t),
           format('tenant-%s', t),
           (ARRAY['starter', 'pro', 'business'])[1 + t % 3],
           epoch - (1 + t % 900) * interval '1 day'
    FROM generate_series(first_tenant, last_tenant) AS t;

    INSERT INTO users (tenant_id, id, email, full_name, role, can_view_job_costing, created_at)
    SELECT pg_temp.seed_id('tenant', t, 0), pg_temp.seed_id('user', t, u),
           format('user%s@tenant-%s.example.com', u, t),
           pg_temp.seed_pick(first_names, t, u, 3) || ' ' || pg_temp.seed_pick(last_names, t, u, 4),
           CASE u WHEN 1 THEN 'owner' WHEN 2 THEN 'admin' WHEN 3 THEN 'manager'
                  WHEN 4 THEN 'office' ELSE 'employee' END,
           u <= 3 OR u % 3 = 0,
           epoch - (1 + t % 900) * interval '1 day' + u * interval '3 hours'
    FROM generate_series(first_tenant, last_tenant) AS t,
         generate_series(1, 4 + 2 * (1 + t % 4)) AS u;

    INSERT INTO customers (tenant_id, id, name, email, phone, address_line, city, postcode,
                           created_at)
    SELECT pg_temp.seed_id('tenant', t, 0), pg_temp.seed_id('customer', t, c),
           pg_temp.seed_pick(first_names, t, c, 5) || ' ' || pg_temp.seed_pick(last_names, t, c, 6),
           format('customer%s.t%s@mail.example.org', c, t),
           format('+44 7%s', lpad(pg_temp.seed_num(t, c, 7, 1000000000)::text, 9, '0')),
           format('%s %s', 1 + pg_temp.seed_num(t, c, 8, 240), pg_temp.seed_pick(streets, t, c, 9)),
           pg_temp.seed_pick(cities, t, c, 10),
           format('%s%s %s%s', chr(65 + pg_temp.seed_num(t, c, 11, 26)),
                  1 + pg_temp.seed_num(t, c, 12, 20), 1 + pg_temp.seed_num(t, c, 13, 9),
                  chr(65 + pg_temp.seed_num(t, c, 14, 26)) || chr(65 + pg_temp.seed_num(t, c, 15, 26))),
           epoch + pg_temp.seed_num(t, c, 16, 8760) * interval '1 hour'
    FROM generate_series(first_tenant, last_tenant) AS t,
         generate_series(1, 30 * (1 + t % 4)) AS c;

    -- job j: customer 1 + j*7 mod customers; employee 5 + j mod employees; status by j mod 10
    INSERT INTO jobs (tenant_id, id, customer_id, assigned_to, title, status, scheduled_for,
                      completed_at, created_at)
    SELECT pg_temp.seed_id('tenant', t, 0), pg_temp.seed_id('job', t, j),
           pg_temp.seed_id('customer', t, 1 + (j * 7) % (30 * (1 + t % 4))),
           CASE WHEN j % 10 = 0 THEN NULL
                ELSE pg_temp.seed_id('user', t, 5 + j % (2 * (1 + t % 4))) END,
           pg_temp.seed_pick(job_titles, t, j, 17),
           CASE j % 10 WHEN 0 THEN 'quoted' WHEN 1 THEN 'scheduled' WHEN 2 THEN 'in_progress'
                       WHEN 3 THEN 'cancelled' ELSE 'completed' END,
           epoch + pg_temp.seed_num(t, j, 18, 8760) * interval '1 hour',
           CASE WHEN j % 10 >= 4
                THEN epoch + (pg_temp.seed_num(t, j, 18, 8760) + 2 + j % 30) * interval '1 hour'
           END,
           epoch + (pg_temp.seed_num(t, j, 18, 8760) - 72) * interval '1 hour'
    FROM generate_series(first_tenant, last_tenant) AS t,
         generate_series(1, 90 * (1 + t % 4)) AS j;

    INSERT INTO job_notes (tenant_id, id, job_id, author_id, body, created_at)
    SELECT pg_temp.seed_id('tenant', t, 0), pg_temp.seed_id('note', t, j * 10 + k),
           pg_temp.seed_id('job', t, j),
           pg_temp.seed_id('user', t, 1 + (j + k) % (4 + 2 * (1 + t % 4))),
           concat_ws(' ', pg_temp.seed_pick(note_openings, t, j * 10 + k, 19),
                     'Ref', md5(t || '/' || j || '/' || k),
                     CASE WHEN k = 1 THEN 'Readings: ' || md5(k || '/' || j || '/' || t)
                                          || ' ' || md5(j || '/' || t || '/' || k) END),
           epoch + (pg_temp.seed_num(t, j, 18, 8760) + k) * interval '1 hour'
    FROM generate_series(first_tenant, last_tenant) AS t,
         generate_series(1, 90 * (1 + t % 4)) AS j,
         generate_series(1, 2) AS k;

    INSERT INTO job_costs (tenant_id, id, job_id, category, description, quantity,
                           unit_cost_cents)
    SELECT pg_temp.seed_id('tenant', t, 0), pg_temp.seed_id('cost', t, j * 10 + k),
           pg_temp.seed_id('job', t, j),
           (ARRAY['labour', 'materials', 'equipment', 'subcontract', 'travel'])[1 + (j + k) % 5],
           pg_temp.seed_pick(cost_items, t, j * 10 + k, 20),
           (1 + pg_temp.seed_num(t, j * 10 + k, 21, 40)) / 4.0,
           200 + pg_temp.seed_num(t, j * 10 + k, 22, 30000)
    FROM generate_series(first_tenant, last_tenant) AS t,
         generate_series(1, 90 * (1 + t % 4)) AS j,
         generate_series(1, 3) AS k;

    -- completed jobs (j mod 10 >= 4) are invoiced; invoice number = job number
    INSERT INTO invoices (tenant_id, id, customer_id, job_id, number, status, issued_on, due_on,
                          total_cents)
    SELECT pg_temp.seed_id('tenant', t, 0), pg_temp.seed_id('invoice', t, j),
           pg_temp.seed_id('customer', t, 1 + (j * 7) % (30 * (1 + t % 4))),
           pg_temp.seed_id('job', t, j), j,
           CASE j % 7 WHEN 0 THEN 'draft' WHEN 1 THEN 'sent' WHEN 2 THEN 'overdue'
                      WHEN 3 THEN 'void' ELSE 'paid' END,
           (epoch + pg_temp.seed_num(t, j, 18, 8760) * interval '1 hour')::date + 1,
           (epoch + pg_temp.seed_num(t, j, 18, 8760) * interval '1 hour')::date + 31,
           pg_temp.seed_invoice_total(t, j)
    FROM generate_series(first_tenant, last_tenant) AS t,
         generate_series(1, 90 * (1 + t % 4)) AS j
    WHERE j % 10 >= 4;

    INSERT INTO invoice_lines (tenant_id, id, invoice_id, description, quantity,
                               unit_price_cents)
    SELECT pg_temp.seed_id('tenant', t, 0), pg_temp.seed_id('line', t, j * 10 + k),
           pg_temp.seed_id('invoice', t, j),
           pg_temp.seed_pick(cost_items, t, j * 10 + k, 23),
           pg_temp.seed_line_qty(t, j, k), pg_temp.seed_line_price(t, j, k)
    FROM generate_series(first_tenant, last_tenant) AS t,
         generate_series(1, 90 * (1 + t % 4)) AS j,
         generate_series(1, 3) AS k
    WHERE j % 10 >= 4;

    INSERT INTO payments (tenant_id, id, invoice_id, amount_cents, stripe_payment_id, paid_at)
    SELECT pg_temp.seed_id('tenant', t, 0), pg_temp.seed_id('payment', t, j),
           pg_temp.seed_id('invoice', t, j), pg_temp.seed_invoice_total(t, j),
           'pi_' || substr(md5('pi:' || t || ':' || j), 1, 24),
           epoch + (pg_temp.seed_num(t, j, 18, 8760) + 24 * (1 + j % 20)) * interval '1 hour'
    FROM generate_series(first_tenant, last_tenant) AS t,
         generate_series(1, 90 * (1 + t % 4)) AS j
    WHERE j % 10 >= 4 AND j % 7 >= 4;

    INSERT INTO files (tenant_id, id, job_id, uploaded_by, object_key, content_type, size_bytes,
                       sha256, created_at)
    SELECT pg_temp.seed_id('tenant', t, 0), pg_temp.seed_id('file', t, j),
           pg_temp.seed_id('job', t, j),
           pg_temp.seed_id('user', t, 5 + j % (2 * (1 + t % 4))),
           format('tenants/%s/jobs/%s/%s.%s', pg_temp.seed_id('tenant', t, 0),
                  pg_temp.seed_id('job', t, j), pg_temp.seed_id('file', t, j),
                  CASE WHEN j % 6 = 0 THEN 'pdf' ELSE 'jpg' END),
           CASE WHEN j % 6 = 0 THEN 'application/pdf' ELSE 'image/jpeg' END,
           20000 + pg_temp.seed_num(t, j, 24, 4000000),
           encode(sha256(convert_to('file:' || t || ':' || j, 'UTF8')), 'hex'),
           epoch + (pg_temp.seed_num(t, j, 18, 8760) + 1) * interval '1 hour'
    FROM generate_series(first_tenant, last_tenant) AS t,
         generate_series(1, 90 * (1 + t % 4)) AS j
    WHERE j % 2 = 0;
END
$$;
