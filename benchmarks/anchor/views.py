"""The two views: one indexed lookup, then a small template or a ``JsonResponse``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from benchmarks.anchor.models import Record


def _record(code: str) -> Record:
    try:
        return Record.objects.get(code=code.replace("-", ""))
    except Record.DoesNotExist:
        raise Http404("no such code") from None


def page(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "anchor/verify.html", {"record": _record(code)})


def answer(request: HttpRequest, code: str) -> JsonResponse:
    record = _record(code)
    return JsonResponse({
        "status": "valid" if record.state == "issued" else record.state,
        "code": code,
        "learner_name": record.learner_name,
        "course_key": record.course_key,
        "course_title": record.course_title,
        "issuer": record.issuer,
        "hours": None if record.hours is None else str(record.hours),
        "issued_at": record.issued_at.isoformat(),
        "expires_at": None if record.expires_at is None else record.expires_at.isoformat(),
        "signature": record.signature,
    })


def form(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>Verify</title><form><input name=code></form>")
