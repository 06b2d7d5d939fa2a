"""The base of every record kind's typed facts: strict, closed, versioned.

Each kind of record (drill, backup, audit, gate, access review) has one `Facts` model: the
flow that writes the record builds it, the record serializes it, and every reader (evidence,
audit, access review) parses it back through the same class and reads attributes. A model is
strict (no "24" read as 24 hours), closed (a field it does not know is refused: another shape)
and names its schema (`drill/1`): a record of a schema this trustctl does not know is refused,
never read as if it were one it knows.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, ValidationError


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a time without a time zone")
    return moment


# A moment in time: ISO 8601 with its offset in JSON, as the records have always written it.
Moment = Annotated[datetime, AfterValidator(_aware),
                   PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]
# What a flow looked at, kept as it was seen (a step's raw facts, a check's API answers).
Raw = dict[str, Any]


class FactsError(ValueError):
    """The facts are of an unknown kind or schema, or do not have their schema's shape."""


class Shape(BaseModel):
    """A part of a record's facts: strict types, no unknown field, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Facts(Shape):
    """The facts of one record kind at one schema version (`SCHEMA`, e.g. `drill/1`)."""

    KIND: ClassVar[str]
    SCHEMA: ClassVar[str]

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parsed from JSON-shaped data (times as ISO 8601 text), as strictly as from a file;
        FactsError, one line naming the first field that does not fit, otherwise."""
        try:
            return cls.model_validate_json(json.dumps(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "facts"
            more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
            raise FactsError(f"{cls.KIND} record's facts are not {cls.SCHEMA}: {where}: "
                             f"{first['msg']}{more}") from None
        except (TypeError, ValueError) as exc:  # not JSON at all (a producer's bug)
            raise FactsError(f"{cls.KIND} record's facts are not {cls.SCHEMA}: {exc}") from None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
