"""Open Badges credential, issuer profile, keys and status list (being written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def issuer_profile(request: HttpRequest) -> HttpResponse:
    raise Http404


def issuer_keys(request: HttpRequest) -> HttpResponse:
    raise Http404


def status_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def credential(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404
