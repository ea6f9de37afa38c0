"""Query-count budgets (counts, never wall-clock) for hot paths."""
