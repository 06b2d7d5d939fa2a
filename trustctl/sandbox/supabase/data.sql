-- Deterministic data for tenants first..last of a Supabase-shaped database: users with MFA
-- factors (enum columns), members, customers, jobs, invoices, events in both partitions and one
-- storage bucket per tenant. %(rows)s rows per tenant in the bigger tables.
INSERT INTO public.countries VALUES
    ('GB', 'United Kingdom'), ('US', 'United States'), ('DE', 'Germany'), ('FR', 'France')
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE seed_tenants AS
SELECT i, md5('tenant:' || i)::uuid AS tid FROM generate_series(%(first)s, %(last)s) i;

INSERT INTO public.tenants
SELECT tid, 'Tenant ' || i, (enum_range(NULL::public.plan))[1 + i %% 3],
       (ARRAY['GB', 'US', 'DE', 'FR'])[1 + i %% 4], '2025-01-01'::timestamptz + i * interval '1 day'
FROM seed_tenants;

INSERT INTO auth.users
SELECT md5('user:' || i || ':' || u)::uuid, 'authenticated', 'authenticated',
       'user' || u || '@tenant' || i || '.example',
       jsonb_build_object('provider', 'email', 'tenant_id', tid), '{}'::jsonb,
       '2025-01-01'::timestamptz, '2025-01-01'::timestamptz
FROM seed_tenants, generate_series(1, 2) u;

INSERT INTO auth.mfa_factors
SELECT md5('factor:' || i || ':' || u)::uuid, md5('user:' || i || ':' || u)::uuid, 'device ' || u,
       (enum_range(NULL::auth.factor_type))[1 + (i + u) %% 3],
       (enum_range(NULL::auth.factor_status))[1 + u %% 2],
       '2025-01-01'::timestamptz, '2025-01-02'::timestamptz
FROM seed_tenants, generate_series(1, 2) u;

INSERT INTO auth.sessions
SELECT md5('session:' || i || ':' || u)::uuid, md5('user:' || i || ':' || u)::uuid,
       (enum_range(NULL::auth.aal_level))[1 + u %% 2], ARRAY['totp']::auth.factor_type[],
       '2025-01-03'::timestamptz
FROM seed_tenants, generate_series(1, 2) u;

INSERT INTO public.members
SELECT tid, md5('user:' || i || ':' || u)::uuid, CASE WHEN u = 1 THEN 'owner' ELSE 'member' END
FROM seed_tenants, generate_series(1, 2) u;

INSERT INTO public.customers
SELECT tid, md5('customer:' || i || ':' || n)::uuid, 'Customer ' || n,
       'Customer' || n || '@Tenant' || i || '.example'
FROM seed_tenants, generate_series(1, %(rows)s) n;

INSERT INTO public.jobs
SELECT tid, md5('job:' || i || ':' || n)::uuid, md5('customer:' || i || ':' || n)::uuid,
       'Job ' || n, (enum_range(NULL::public.job_status))[1 + n %% 4],
       '2026-01-01'::timestamptz + n * interval '1 hour'
FROM seed_tenants, generate_series(1, %(rows)s) n;

INSERT INTO public.invoices
SELECT tid, md5('invoice:' || i || ':' || n)::uuid, md5('job:' || i || ':' || n)::uuid, n,
       (enum_range(NULL::public.invoice_status))[1 + n %% 4], 1000 * n
FROM seed_tenants, generate_series(1, %(rows)s) n;

INSERT INTO public.events
SELECT tid, md5('event:' || i || ':' || n)::uuid, 'job.updated',
       '2026-01-01 00:00:00+00'::timestamptz + (n - %(rows)s / 2 - 1) * interval '1 minute'
FROM seed_tenants, generate_series(1, %(rows)s) n;

INSERT INTO storage.buckets
SELECT tid::text, 'tenant-' || i, md5('user:' || i || ':1')::uuid, false, '2025-01-01'
FROM seed_tenants;

INSERT INTO storage.objects
SELECT md5('object:' || i || ':' || n)::uuid, tid::text, 'jobs/' || n || '/photo.jpg',
       md5('user:' || i || ':1')::uuid, jsonb_build_object('size', 1000 + n), '2025-01-01'
FROM seed_tenants, generate_series(1, greatest(1, %(rows)s / 10)) n;

DROP TABLE seed_tenants;
