"""Learner pages (being written)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def certificate_page(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404


def publish(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404


def public_profile(request: HttpRequest, username: str) -> HttpResponse:
    raise Http404


def service_worker(request: HttpRequest) -> HttpResponse:
    raise Http404
