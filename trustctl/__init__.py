"""trustctl: Claver's security page, kept by infrastructure code and proved by evidence."""

__version__ = "0.1.0"
