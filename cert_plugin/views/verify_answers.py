"""Verify answers kept in the cache for the next visitor who asks (issue 16).

A QR code at a graduation, a link shared on a profile, a crawler: the same
codes are verified again and again, by people who are not signed in. Their
answer is the same for all of them, so it is built once and kept in Django's
cache (the ``default`` alias; in production a shared one, Redis or Memcached)
for ``CERT_PLUGIN["VERIFY_CACHE_SECONDS"]``:

* **Who gets a kept answer.** The JSON answer (``api-verify``) is the same for
  everyone. The page is kept only for a visitor without a session cookie (a
  signed-in owner or staff member sees download links; their page is built for
  them and never kept), and per language and host.
* **What is kept.** Only 200 answers for a certificate that is valid or revoked
  now. A valid certificate that expires is kept no later than its expiry; an
  expired one is never kept (a newer certificate may appear beside it).
  Unknown codes and 429s are never kept.
* **When it goes.** Every change to the certificate (revoke, reissue, publish,
  name change, deletion) drops all its kept answers once the change commits,
  in every process: each is marked with the code's generation, which the change
  drops (:func:`cert_plugin.api.verify_answer_generation`). Reading the
  generation and the kept answer is one cache round trip.
* **Conditional GET.** A kept answer carries an ``ETag`` and
  ``Cache-Control: no-cache``: a browser or proxy may keep it but must ask
  again before each use, and gets ``304 Not Modified`` while it still holds.
  Answers that are not kept stay ``no-store``, as before.

The rate limit is counted before any of this: a kept answer costs a visitor's
budget like any other. A cache that is down serves nothing and keeps nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import get_language

from cert_plugin import __version__, api, conf

if TYPE_CHECKING:
    from cert_plugin.data import Verification

__all__ = ["answer", "kept_answer"]

log = logging.getLogger(__name__)

Build = Callable[[], tuple[HttpResponse, "Verification | None"]]


@dataclass(frozen=True)
class Kept:
    """An answer as kept: what a later visitor is sent."""

    content: bytes
    content_type: str
    etag: str
    generation: str  # the code's generation when the certificate was read: served only while it holds


def answer(request: HttpRequest, kind: str, canonical: str | None, build: Build) -> HttpResponseBase:
    """The answer to ``request`` for the code ``canonical`` ("page" or "json"): kept, or built by
    ``build`` (which returns the response and the verification it answers) and kept if it may be."""
    slot = _slot(request, kind, canonical)
    if slot.kept is not None:
        return _send(request, slot.kept)
    response, verification = build()
    if slot.key is None:
        return response
    keep_for = _keep_for(response, verification, slot.seconds)
    if keep_for:
        kept = Kept(response.content, response["Content-Type"], _etag(response.content), slot.generation)
        _write(slot.key, kept, keep_for)
        return _send(request, kept)
    return response


def kept_answer(request: HttpRequest, kind: str, canonical: str | None) -> HttpResponseBase | None:
    """The kept answer to ``request``, or None: for a view that can skip work before it builds one
    (the JSON view, DRF's request handling). :func:`answer` then reuses this lookup."""
    slot = _slot(request, kind, canonical)
    return None if slot.kept is None else _send(request, slot.kept)


@dataclass(frozen=True)
class _Slot:
    """Where a request's answer is kept (``key`` None: it may not be), under which generation, and
    what was found there."""

    key: str | None
    seconds: int = 0
    generation: str = ""
    kept: Kept | None = None


def _slot(request: HttpRequest, kind: str, canonical: str | None) -> _Slot:
    """Looked up once per request, before the certificate is read: one cache round trip."""
    memo: dict[tuple[str, str | None], _Slot] = request.__dict__.setdefault("_cert_plugin_answers", {})
    if (kind, canonical) not in memo:
        variant = _variant(request, kind)
        seconds = conf.get().VERIFY_CACHE_SECONDS
        slot = _Slot(None)
        if canonical and variant and seconds:
            key = f"cert_plugin:verify-answer:{__version__}:{canonical}:{variant}"
            generation, found = api.verify_answer_generation(canonical, with_kept=key)
            if generation is not None:
                current = isinstance(found, Kept) and found.generation == generation
                slot = _Slot(key, seconds, generation, found if current else None)
        memo[kind, canonical] = slot
    return memo[kind, canonical]


def _variant(request: HttpRequest, kind: str) -> str | None:
    """What the kept answer depends on besides the code, or None when it must not be kept."""
    if kind == "json":
        return "json"
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None  # perhaps signed in: the page may offer downloads to this visitor alone
    return f"page:{get_language()}:{request.scheme}:{request.get_host()}"


def _keep_for(response: HttpResponse, verification: Verification | None, seconds: int) -> int:
    """Whole seconds the answer may be kept (0: not at all)."""
    if response.status_code != 200 or verification is None or verification.certificate is None:
        return 0
    if verification.status == "revoked":
        return seconds
    if verification.status != "valid":
        return 0
    expires_at = verification.certificate.expires_at
    if expires_at is not None:
        seconds = min(seconds, int((expires_at - timezone.now()) // timedelta(seconds=1)))
    return max(0, seconds)


def _etag(content: bytes) -> str:
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


def _write(key: str, kept: Kept, seconds: int) -> None:
    try:
        cache.set(key, kept, timeout=seconds)
    except Exception:
        log.warning("cert_plugin: cache unavailable; the verify answer is not kept", exc_info=True)


def _send(request: HttpRequest, kept: Kept) -> HttpResponseBase:
    response = HttpResponse(kept.content, content_type=kept.content_type)
    response["ETag"] = kept.etag
    patch_cache_control(response, no_cache=True)
    # 304 Not Modified when the visitor's If-None-Match names this answer; otherwise the answer.
    return get_conditional_response(request, etag=kept.etag, response=response) or response
