"""Pure domain logic: names, teams, the legacy formulas. No Dagster, no I/O."""
