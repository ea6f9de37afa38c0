"""Turning certificate snapshots into HTML, PDF and PNG."""
