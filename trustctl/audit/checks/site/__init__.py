"""Live checks of the site area."""
