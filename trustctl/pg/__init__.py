"""Postgres: connecting, the pg_dump/pg_restore processes, a local server, tenant isolation."""
