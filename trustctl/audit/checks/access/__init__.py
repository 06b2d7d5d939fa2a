"""Live checks of the access area (the quarterly access review)."""
