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
