-- Claver's field-service schema: many tenants in one database.
-- Every row carries tenant_id; row-level security, enabled AND forced, lets a session see and
-- write only the rows of the tenant named in the setting app.tenant_id. Keys and indexes are
-- in keys.sql, added after bulk loading (much faster than loading into indexed tables).
-- Run as a superuser on a database owned by claver_owner (see roles.sql).

SET ROLE claver_owner;

CREATE TABLE tenants (
    tenant_id   uuid NOT NULL,
    name        text NOT NULL,
    slug        text NOT NULL,
    plan        text NOT NULL CHECK (plan IN ('starter', 'pro', 'business')),
    created_at  timestamptz NOT NULL
);

-- Role-based access of the security page; can_view_job_costing is the per-tech permission.
CREATE TABLE users (
    tenant_id             uuid NOT NULL,
    id                    uuid NOT NULL,
    email                 text NOT NULL,
    full_name             text NOT NULL,
    role                  text NOT NULL
        CHECK (role IN ('admin', 'owner', 'manager', 'office', 'employee')),
    can_view_job_costing  boolean NOT NULL,
    created_at            timestamptz NOT NULL
);

CREATE TABLE customers (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL,
    name          text NOT NULL,
    email         text NOT NULL,
    phone         text NOT NULL,
    address_line  text NOT NULL,
    city          text NOT NULL,
    postcode      text NOT NULL,
    created_at    timestamptz NOT NULL
);

CREATE TABLE jobs (
    tenant_id      uuid NOT NULL,
    id             uuid NOT NULL,
    customer_id    uuid NOT NULL,
    assigned_to    uuid,
    title          text NOT NULL,
    status         text NOT NULL
        CHECK (status IN ('quoted', 'scheduled', 'in_progress', 'completed', 'cancelled')),
    scheduled_for  timestamptz NOT NULL,
    completed_at   timestamptz,
    created_at     timestamptz NOT NULL
);

CREATE TABLE job_notes (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL,
    job_id      uuid NOT NULL,
    author_id   uuid NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE job_costs (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL,
    job_id           uuid NOT NULL,
    category         text NOT NULL
        CHECK (category IN ('labour', 'materials', 'equipment', 'subcontract', 'travel')),
    description      text NOT NULL,
    quantity         numeric(10, 2) NOT NULL,
    unit_cost_cents  bigint NOT NULL
);

CREATE TABLE invoices (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL,
    customer_id  uuid NOT NULL,
    job_id       uuid NOT NULL,
    number       integer NOT NULL,
    status       text NOT NULL CHECK (status IN ('draft', 'sent', 'paid', 'overdue', 'void')),
    issued_on    date NOT NULL,
    due_on       date NOT NULL,
    total_cents  bigint NOT NULL
);

CREATE TABLE invoice_lines (
    tenant_id         uuid NOT NULL,
    id                uuid NOT NULL,
    invoice_id        uuid NOT NULL,
    description       text NOT NULL,
    quantity          numeric(10, 2) NOT NULL,
    unit_price_cents  bigint NOT NULL
);

-- Card numbers never touch our disks: a payment keeps only Stripe's reference.
CREATE TABLE payments (
    tenant_id          uuid NOT NULL,
    id                 uuid NOT NULL,
    invoice_id         uuid NOT NULL,
    amount_cents       bigint NOT NULL,
    stripe_payment_id  text NOT NULL,
    paid_at            timestamptz NOT NULL
);

-- Photos and documents live in S3; the database keeps where, what and a checksum.
CREATE TABLE files (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL,
    job_id        uuid NOT NULL,
    uploaded_by   uuid NOT NULL,
    object_key    text NOT NULL,
    content_type  text NOT NULL,
    size_bytes    bigint NOT NULL,
    sha256        text NOT NULL,
    created_at    timestamptz NOT NULL
);

-- One loop, so no table of the schema can be left without isolation.
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', name);
        EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', name);
        -- NULLIF: after a transaction that used SET LOCAL the setting is '' (not NULL),
        -- and ''::uuid would raise instead of matching nothing.
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON public.%I '
            'USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid) '
            'WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)',
            name);
    END LOOP;
END
$$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO claver_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO claver_app;

RESET ROLE;
