"""Results by control and how they are rendered (table, JSON, SARIF, JUnit)."""
