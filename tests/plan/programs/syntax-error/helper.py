"""Does not parse: the planner says where."""

RULES = (
