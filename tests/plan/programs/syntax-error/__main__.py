"""A program whose helper module does not parse."""

import helper  # noqa: F401
