"""Live checks of the records area."""
