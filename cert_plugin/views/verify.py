"""Public verification pages (being written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def verify_form(request: HttpRequest) -> HttpResponse:
    raise Http404


def verify_page(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404
