"""Shared backup fixtures (see tests/backup/fixtures.py)."""

from backup.fixtures import location, locked_location, source, spy  # noqa: F401

from drill.supabase_source import supabase_server  # noqa: F401
