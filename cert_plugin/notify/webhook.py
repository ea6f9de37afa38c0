"""The webhook backend: POST each notification as JSON, signed with HMAC-SHA256.

Options (``{"class": "cert_plugin.notify.webhook.WebhookBackend", ...}``):

* ``url`` (required): an absolute ``http(s)`` URL;
* ``secret`` (required): the shared secret of the signature;
* ``timeout`` (seconds, default 5).

The body is JSON::

    {"event": "issued", "code": "XXXX-XXXX-XXXX-XXXX",
     "learner": {"name": "...", "email": "...", "language": "en"},
     "course_key": "course-v1:...", "course_title": "...",
     "issued_at": "2026-03-01T10:00:00+00:00", "expires_at": null,
     "verify_url": "https://.../certs/verify/XXXX-XXXX-XXXX-XXXX/",
     "certificate_url": "...", "pdf_url": "..."}

and the header ``X-Cert-Plugin-Signature: sha256=<hex>`` is the HMAC-SHA256 of
the exact body bytes with the secret; the receiver recomputes it and compares
with ``hmac.compare_digest``. Any answer but 2xx (redirects included) or a
network error raises, so the plugin retries the delivery with backoff; the
receiver should therefore accept a repeated delivery (same event and code).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

import requests

from cert_plugin.notify import Notification

__all__ = ["SIGNATURE_HEADER", "WebhookBackend", "WebhookError", "payload", "signature"]

SIGNATURE_HEADER = "X-Cert-Plugin-Signature"


class WebhookError(Exception):
    """The webhook answered with something other than 2xx."""


def payload(message: Notification) -> dict[str, Any]:
    """The JSON document posted for ``message``."""
    return {
        "event": message.event,
        "code": message.code,
        "learner": {"name": message.learner_name, "email": message.learner_email,
                    "language": message.language},
        "course_key": message.course_key,
        "course_title": message.course_title,
        "issued_at": message.issued_at.isoformat(),
        "expires_at": message.expires_at.isoformat() if message.expires_at else None,
        "verify_url": message.verify_url,
        "certificate_url": message.certificate_url,
        "pdf_url": message.pdf_url,
    }


def signature(body: bytes, secret: str) -> str:
    """The signature header value for ``body``: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookBackend:
    """POSTs notifications to one URL."""

    def __init__(self, *, url: str, secret: str, timeout: float = 5) -> None:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f'"url" must be an absolute http(s) URL, not {url!r}.')
        if not isinstance(secret, str) or not secret:
            raise ValueError('"secret" must be a non-empty string (the HMAC-SHA256 key).')
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 60:
            raise ValueError(f'"timeout" must be a number of seconds between 0 and 60, not {timeout!r}.')
        self.url, self.secret, self.timeout = url, secret, float(timeout)

    def send(self, message: Notification) -> None:
        body = json.dumps(payload(message), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        response = requests.post(
            self.url,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8",
                     SIGNATURE_HEADER: signature(body, self.secret),
                     "X-Cert-Plugin-Event": message.event},
            timeout=self.timeout,
            allow_redirects=False,
        )
        if not 200 <= response.status_code < 300:
            raise WebhookError(f"{self.url} answered {response.status_code} to the {message.event} "
                               f"notification of {message.code}.")
