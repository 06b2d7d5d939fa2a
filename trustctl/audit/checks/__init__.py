"""The live checks, one module per check, in one package per area (see registry.py)."""
