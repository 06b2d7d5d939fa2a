"""Live checks of the cloudflare area."""
