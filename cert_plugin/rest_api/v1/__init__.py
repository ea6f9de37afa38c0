"""REST API v1 (DRF)."""
