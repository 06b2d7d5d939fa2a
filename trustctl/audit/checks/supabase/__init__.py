"""Live checks of the supabase area (the Management API)."""
