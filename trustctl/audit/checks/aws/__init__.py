"""Live checks of the aws area."""
