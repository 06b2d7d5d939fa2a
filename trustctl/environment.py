"""What a run's targets stand for (production, or the sandbox and its profile), apart from the
provider that yields them: records and the gate name it without loading the backup or database
code the providers need (`trustctl gate` starts on every pull request)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PRODUCTION", "Environment"]


@dataclass(frozen=True)
class Environment:
    """What a run's targets stand for, for a record's provenance: `production`, or `sandbox`
    with the sandbox's profile (default, supabase)."""

    name: str
    profile: str | None = None

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, **({"profile": self.profile} if self.profile else {})}

    @classmethod
    def from_json(cls, value: object) -> Environment | None:
        """The environment a document names, or None when it names none we know."""
        if not isinstance(value, dict) or value.get("name") not in ("production", "sandbox"):
            return None
        profile = value.get("profile")
        return cls(value["name"], profile if isinstance(profile, str) else None)


PRODUCTION = Environment("production")
