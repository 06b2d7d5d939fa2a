"""Live checks of the database area."""
