"""What a hosted Supabase project has and the embedded server lacks, written by us for the
real-app tests (never copied from the apps): the parts of the platform their migrations call.
Each is the smallest shape the migrations need; none of them holds a tenant's rows."""

from __future__ import annotations

from pathlib import Path

# uuid-ossp's generator, and Supabase's search path for the owner (extensions reachable
# unqualified, as `vector(384)` and `uuid_generate_v4()` are written in migrations).
EXTENSIONS = """
CREATE OR REPLACE FUNCTION extensions.uuid_generate_v4() RETURNS uuid LANGUAGE sql
    AS 'SELECT gen_random_uuid()';
SET search_path = public, extensions;
"""

# Supabase Storage's catalogue: buckets, objects (RLS on, as the platform ships it) and the
# path helpers policies call.
STORAGE = """
CREATE SCHEMA storage;
GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;
CREATE TABLE storage.buckets (id text PRIMARY KEY, name text NOT NULL, owner uuid,
    public boolean DEFAULT false, created_at timestamptz DEFAULT now());
CREATE TABLE storage.objects (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    bucket_id text REFERENCES storage.buckets, name text, owner uuid, owner_id text,
    metadata jsonb, created_at timestamptz DEFAULT now());
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
GRANT ALL ON storage.objects, storage.buckets TO anon, authenticated, service_role;
CREATE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1] $$;
CREATE FUNCTION storage.filename(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)] $$;
"""


def migrations(directory: Path, unavailable: tuple[str, ...] = ()) -> list[str]:
    """The app's migrations in order, read in place; each statement in `unavailable` (an
    extension the embedded server does not ship, whose functions only the app's network calls
    use) is left out, and must be there: a changed migration fails the test, not hides."""
    texts = [p.read_text() for p in sorted(directory.glob("*.sql"))]
    for statement in unavailable:
        assert any(statement in t for t in texts), statement
    return [_without(t, unavailable) for t in texts]


def _without(text: str, statements: tuple[str, ...]) -> str:
    for statement in statements:
        text = text.replace(statement, f"-- (not on the test server) {statement[:40]}")
    return text

# pg_cron's scheduling entry point: a job is recorded, never run (nothing runs on a schedule in
# a test).
CRON = """
CREATE SCHEMA cron;
CREATE TABLE cron.job (jobid bigserial PRIMARY KEY, jobname text UNIQUE, schedule text,
    command text);
CREATE FUNCTION cron.schedule(job_name text, schedule text, command text) RETURNS bigint
    LANGUAGE sql AS $$
    INSERT INTO cron.job (jobname, schedule, command) VALUES (job_name, schedule, command)
    ON CONFLICT (jobname) DO UPDATE SET schedule = excluded.schedule,
        command = excluded.command RETURNING jobid $$;
CREATE FUNCTION cron.unschedule(job_name text) RETURNS boolean LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM cron.job WHERE jobname = job_name RETURNING 1)
    SELECT count(*) > 0 FROM gone $$;
CREATE TABLE cron.job_run_details (runid bigserial PRIMARY KEY, jobid bigint, status text,
    start_time timestamptz, end_time timestamptz);
"""

# pg_net's request functions: a request is queued, never sent (tests touch no network).
NET = """
CREATE SCHEMA net;
CREATE TABLE net.http_request_queue (id bigserial PRIMARY KEY, method text, url text,
    body jsonb, headers jsonb);
CREATE FUNCTION net.http_post(url text, body jsonb DEFAULT '{}', params jsonb DEFAULT '{}',
    headers jsonb DEFAULT '{}', timeout_milliseconds int DEFAULT 5000) RETURNS bigint
    LANGUAGE sql AS $$
    INSERT INTO net.http_request_queue (method, url, body, headers)
    VALUES ('POST', url, body, headers) RETURNING id $$;
CREATE FUNCTION net.http_get(url text, params jsonb DEFAULT '{}', headers jsonb DEFAULT '{}',
    timeout_milliseconds int DEFAULT 5000) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO net.http_request_queue (method, url, headers) VALUES ('GET', url, headers)
    RETURNING id $$;
"""

# Supabase Vault as SQL sees it: named secrets, read through decrypted_secrets (here held in
# clear: the tests store none).
VAULT = """
CREATE SCHEMA vault;
CREATE TABLE vault.secrets (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text UNIQUE,
    secret text NOT NULL);
CREATE VIEW vault.decrypted_secrets AS SELECT id, name, secret AS decrypted_secret
    FROM vault.secrets;
"""

# Supabase Realtime's publication, which apps add their tables to.
REALTIME = "CREATE PUBLICATION supabase_realtime;"

# The rest of GoTrue's auth.users and its identities, for apps whose migrations reserve
# accounts by writing them there directly.
AUTH_ACCOUNTS = """
ALTER TABLE auth.users ADD COLUMN instance_id uuid, ADD COLUMN encrypted_password varchar(255),
    ADD COLUMN email_confirmed_at timestamptz, ADD COLUMN is_sso_user boolean DEFAULT false,
    ADD COLUMN confirmation_token varchar(255), ADD COLUMN recovery_token varchar(255),
    ADD COLUMN email_change_token_new varchar(255), ADD COLUMN email_change varchar(255);
CREATE TABLE auth.identities (id uuid PRIMARY KEY, provider_id text NOT NULL,
    provider text NOT NULL, user_id uuid NOT NULL REFERENCES auth.users ON DELETE CASCADE,
    identity_data jsonb NOT NULL,
    email text GENERATED ALWAYS AS (lower(identity_data ->> 'email')) STORED,
    created_at timestamptz, updated_at timestamptz, last_sign_in_at timestamptz);
ALTER TABLE auth.identities OWNER TO supabase_auth_admin;
"""
