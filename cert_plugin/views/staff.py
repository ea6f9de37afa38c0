"""The course staff certificates dashboard (being written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def dashboard(request: HttpRequest, course_key: str) -> HttpResponse:
    raise Http404
