"""A small standalone LMS that stands in for edx-platform in the demo and tests."""

from devhost.celery import app as celery_app  # the host's Celery app, as edx-platform has one

__all__ = ["celery_app"]
