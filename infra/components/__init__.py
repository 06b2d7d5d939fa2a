"""One ComponentResource per capability of the security page (see each class docstring)."""
