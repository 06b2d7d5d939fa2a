"""Errors a user can act on. Any of them ends a command with exit 2 and one line on stderr."""


class TrustctlError(Exception):
    """Something could not be run or checked; the message says what and what to do."""


class InputError(TrustctlError):
    """Bad input: a missing file, unreadable JSON, a value out of range."""


class DependencyError(TrustctlError):
    """A dependency could not be reached or started (Postgres, AWS endpoint, checkov)."""


class FindingError(Exception):
    """What was checked is wrong (a backup tampered with, a key unusable, a restore that fails):
    a finding, exit 1, never "could not run". Flows classify by this base, not by listing."""
