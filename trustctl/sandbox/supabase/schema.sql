-- Claver's database on the Supabase platform (platform.sql runs first): storage with RLS and
-- Claver's tenant tables in public: `TO authenticated` policies reading the tenant from the
-- JWT's app_metadata, RLS enabled and not forced (owned by postgres, which serves no tenant
-- traffic), a global lookup table with a read policy only (RLS refuses the writes the
-- platform's grants would allow), and a partitioned tenant table whose partitions carry their
-- own RLS. Run as postgres; see roles.sql.

-- storage: one bucket per tenant, named by its tenant id -------------------------------------
CREATE SCHEMA storage AUTHORIZATION supabase_storage_admin;
GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;
CREATE TABLE storage.buckets (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    owner       uuid,
    public      boolean DEFAULT false,
    created_at  timestamptz DEFAULT now()
);
CREATE TABLE storage.objects (
    id          uuid PRIMARY KEY,
    bucket_id   text REFERENCES storage.buckets (id),
    name        text,
    owner       uuid,
    metadata    jsonb,
    created_at  timestamptz DEFAULT now()
);
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant buckets" ON storage.buckets TO authenticated
    USING (id = auth.jwt() -> 'app_metadata' ->> 'tenant_id');
CREATE POLICY "tenant objects" ON storage.objects TO authenticated
    USING (bucket_id = auth.jwt() -> 'app_metadata' ->> 'tenant_id')
    WITH CHECK (bucket_id = auth.jwt() -> 'app_metadata' ->> 'tenant_id');
GRANT ALL ON storage.buckets, storage.objects TO anon, authenticated, service_role;
ALTER TABLE storage.buckets OWNER TO supabase_storage_admin;
ALTER TABLE storage.objects OWNER TO supabase_storage_admin;

-- public: Claver's tables --------------------------------------------------------------------
CREATE TYPE public.plan AS ENUM ('starter', 'pro', 'business');
CREATE TYPE public.job_status AS ENUM ('quoted', 'scheduled', 'in_progress', 'completed');
CREATE TYPE public.invoice_status AS ENUM ('draft', 'sent', 'paid', 'void');

-- global: shared by every tenant, declared in policies/tenancy.yaml
CREATE TABLE public.countries (code char(2) PRIMARY KEY, name text NOT NULL);

CREATE TABLE public.tenants (
    tenant_id   uuid PRIMARY KEY,
    name        text NOT NULL,
    plan        public.plan NOT NULL,
    country     char(2) REFERENCES public.countries (code),
    created_at  timestamptz NOT NULL
);
CREATE TABLE public.members (
    tenant_id  uuid NOT NULL REFERENCES public.tenants,
    user_id    uuid NOT NULL REFERENCES auth.users,
    role       text NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE TABLE public.customers (
    tenant_id  uuid NOT NULL REFERENCES public.tenants,
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    email      extensions.citext NOT NULL
);
CREATE TABLE public.jobs (
    tenant_id      uuid NOT NULL REFERENCES public.tenants,
    id             uuid PRIMARY KEY,
    customer_id    uuid NOT NULL REFERENCES public.customers,
    title          text NOT NULL,
    status         public.job_status NOT NULL,
    scheduled_for  timestamptz NOT NULL
);
CREATE TABLE public.invoices (
    tenant_id    uuid NOT NULL REFERENCES public.tenants,
    id           uuid PRIMARY KEY,
    job_id       uuid NOT NULL REFERENCES public.jobs,
    number       integer NOT NULL,
    status       public.invoice_status NOT NULL,
    total_cents  bigint NOT NULL
);
CREATE TABLE public.events (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL,
    kind        text NOT NULL,
    created_at  timestamptz NOT NULL
) PARTITION BY RANGE (created_at);
CREATE TABLE public.events_2025 PARTITION OF public.events
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.events_2026 PARTITION OF public.events
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

-- every public table, partitions included, has RLS and the tenant policy; the global one a
-- read policy only
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                  AND c.relname <> 'countries' LOOP
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', name);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON public.%I TO authenticated '
            'USING (tenant_id = (auth.jwt() -> ''app_metadata'' ->> ''tenant_id'')::uuid) '
            'WITH CHECK (tenant_id = (auth.jwt() -> ''app_metadata'' ->> ''tenant_id'')::uuid)',
            name);
    END LOOP;
END
$$;
ALTER TABLE public.countries ENABLE ROW LEVEL SECURITY;
CREATE POLICY "countries are public" ON public.countries FOR SELECT TO anon, authenticated
    USING (true);

-- the platform's default privileges (platform.sql) gave the API roles everything in public:
-- RLS is what isolates
