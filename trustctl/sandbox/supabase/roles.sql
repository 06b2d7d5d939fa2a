-- Cluster roles of a Supabase project, as Supabase creates them (roles live outside any dump).
-- Idempotent. Differences from a hosted project: `postgres` is this server's bootstrap
-- superuser (on Supabase it is not a true superuser), and the backup role is trustctl's own.
--   anon, authenticated  the application roles: PostgREST switches to them per request
--   service_role         bypasses RLS by design (server-side keys)
--   authenticator        logs in and may become anon, authenticated or service_role
--   supabase_admin, supabase_auth_admin, supabase_storage_admin  Supabase's internal owners
--   trustctl_backup      a non-superuser that reads everything: BYPASSRLS + pg_read_all_data
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
        CREATE ROLE authenticator LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'supabase_admin') THEN
        CREATE ROLE supabase_admin NOLOGIN SUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'supabase_auth_admin') THEN
        CREATE ROLE supabase_auth_admin NOLOGIN NOINHERIT CREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'supabase_storage_admin') THEN
        CREATE ROLE supabase_storage_admin NOLOGIN NOINHERIT CREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'trustctl_backup') THEN
        CREATE ROLE trustctl_backup LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
    END IF;
END
$$;
GRANT anon, authenticated, service_role TO authenticator;
GRANT pg_read_all_data TO trustctl_backup;
