"""Notifications to learners: the backend interface, message building and dispatch.

A notification backend is any class with a ``send(message)`` method (see
:class:`NotificationBackend`). The backends in ``CERT_PLUGIN["NOTIFY"]["BACKENDS"]``
each receive every enabled event; an entry is a dotted path, or a dict with the
path under ``"class"`` and the backend's options as the other keys, passed to
its constructor as keyword arguments::

    CERT_PLUGIN = {"NOTIFY": {
        "BACKENDS": [
            "cert_plugin.notify.email.EmailBackend",
            {"class": "cert_plugin.notify.webhook.WebhookBackend",
             "url": "https://hooks.example.org/certs", "secret": "..."},
            {"class": "myproject.sms.TwilioBackend", "account": "...", "token": "..."},
        ],
        "EVENTS": ["issued", "reissued", "expiring"],
        "EXPIRY_REMINDER_DAYS": [30, 7],
    }}

Writing a backend (an SMS gateway, a chat message, a CRM update)::

    class SmsBackend:
        def __init__(self, *, token: str, sender: str = "Academy") -> None:
            if not token:
                raise ValueError('"token" is required')  # reported by `manage.py check`
            self.token, self.sender = token, sender

        def send(self, message: Notification) -> None:
            phone = lookup_phone(message.learner_email)       # your own directory
            gateway.send(phone, f"{message.subject}: {message.certificate_url}")  # raise on failure

The constructor validates its options and raises ``ValueError`` (or
``TypeError`` for an unknown option): the system check reports it, naming
the entry. ``send`` raises on any failure; the plugin then retries that
backend alone, with backoff, while the other backends are unaffected. ``send``
runs in a Celery task after the certificate is committed, with the learner's
language active (``message.language``), so ``gettext`` in a backend speaks it.
A message carries plain values only (no model objects), already rendered:
``subject``, ``text`` and ``html``.

This module imports no models: :mod:`cert_plugin.api` gathers the facts and
calls :func:`build` and :func:`send_with`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from cert_plugin.text import clean_name, strip_controls

__all__ = [
    "DEFAULT_BACKENDS",
    "DEFAULT_EVENTS",
    "DEFAULT_REMINDER_DAYS",
    "EVENTS",
    "Notification",
    "NotificationBackend",
    "backend_entries",
    "build",
    "enabled_events",
    "learner_language",
    "load_backend",
    "problems",
    "reminder_days",
    "send_with",
]

EVENTS = ("issued", "reissued", "revoked", "expiring")
DEFAULT_BACKENDS: tuple[str, ...] = ("cert_plugin.notify.email.EmailBackend",)
DEFAULT_EVENTS: tuple[str, ...] = ("issued", "reissued", "expiring")
DEFAULT_REMINDER_DAYS: tuple[int, ...] = (30,)
DEFAULT_COURSE_URL = "{base_url}/courses/{course_key}/"
_KNOWN_KEYS = {"BACKENDS", "EVENTS", "EXPIRY_REMINDER_DAYS", "FROM_EMAIL", "COURSE_URL"}


@dataclass(frozen=True)
class Notification:
    """One message to one learner about one certificate, rendered in their language."""

    event: str  # "issued" | "reissued" | "revoked" | "expiring"
    code: str  # verification code as printed, "XXXX-XXXX-XXXX-XXXX"
    learner_name: str  # as printed on the certificate
    learner_email: str
    language: str  # the learner's language; active while rendering and sending
    course_key: str
    course_title: str
    issuer_name: str  # the institution
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    subject: str
    text: str  # plain-text body
    html: str  # HTML body (names and titles escaped)
    certificate_url: str  # absolute: the learner's certificate page
    pdf_url: str  # absolute: the PDF download
    verify_url: str  # absolute: the public verify page
    course_url: str = ""  # absolute course link for recertification; "" when unknown


@runtime_checkable
class NotificationBackend(Protocol):
    """Delivers a :class:`Notification`; raises on failure so the plugin retries it."""

    def send(self, message: Notification) -> None: ...


# --------------------------------------------------------------------------- settings


def _notify() -> Mapping[str, Any]:
    from cert_plugin import conf

    value = conf.get().NOTIFY
    return value if isinstance(value, Mapping) else {}


def enabled_events() -> tuple[str, ...]:
    """The events that notify learners (``NOTIFY["EVENTS"]``)."""
    return tuple(_notify().get("EVENTS", DEFAULT_EVENTS))


def reminder_days() -> tuple[int, ...]:
    """Days before expiry at which "expiring" reminders go out, largest first."""
    return tuple(sorted(set(_notify().get("EXPIRY_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)), reverse=True))


def backend_entries() -> list[str | Mapping[str, Any]]:
    """The configured backend entries (``NOTIFY["BACKENDS"]``), in order."""
    return list(_notify().get("BACKENDS", DEFAULT_BACKENDS))


def from_email() -> str | None:
    """Sender address of notification emails; ``None`` means ``DEFAULT_FROM_EMAIL``."""
    return _notify().get("FROM_EMAIL") or None


def course_url(base_url: str, course_key: str) -> str:
    """The course's absolute URL for recertification links; "" when not configured."""
    pattern = _notify().get("COURSE_URL", DEFAULT_COURSE_URL)
    if not pattern or not base_url:
        return ""
    return str(pattern).format(base_url=base_url.rstrip("/"), course_key=course_key)


def load_backend(entry: str | Mapping[str, Any]) -> NotificationBackend:
    """Instantiate one ``BACKENDS`` entry (a dotted path, or ``{"class": path, **options}``)."""
    if isinstance(entry, str):
        path, options = entry, {}
    else:
        options = {key: value for key, value in entry.items() if key != "class"}
        path = entry["class"]
    backend: NotificationBackend = import_string(path)(**options)
    return backend


def problems(value: Any) -> list[str]:
    """Every problem with ``CERT_PLUGIN["NOTIFY"]``, each naming its key (for conf's system check)."""
    where = 'CERT_PLUGIN["NOTIFY"]'
    if not isinstance(value, Mapping):
        return [f"{where} must be a dict of notification options."]
    found = []
    unknown = sorted(set(value) - _KNOWN_KEYS)
    if unknown:
        found.append(f"{where} has unknown key(s) {', '.join(unknown)}; known keys are "
                     f"{', '.join(sorted(_KNOWN_KEYS))}.")
    events = value.get("EVENTS", DEFAULT_EVENTS)
    if not isinstance(events, Sequence) or isinstance(events, str) or any(e not in EVENTS for e in events):
        found.append(f'{where}["EVENTS"] must be a list of events from {", ".join(EVENTS)}, '
                     f"not {events!r}.")
    days = value.get("EXPIRY_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)
    if (not isinstance(days, Sequence) or isinstance(days, str)
            or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in days)):
        found.append(f'{where}["EXPIRY_REMINDER_DAYS"] must be a list of whole days before expiry '
                     f"(each 1 or more), e.g. [30, 7]; not {days!r}.")
    for key in ("FROM_EMAIL", "COURSE_URL"):
        if value.get(key) is not None and not isinstance(value[key], str):
            found.append(f'{where}["{key}"] must be a string.')
    pattern = value.get("COURSE_URL")
    if isinstance(pattern, str) and pattern:
        try:
            pattern.format(base_url="", course_key="")
        except (KeyError, IndexError, ValueError) as exc:
            found.append(f'{where}["COURSE_URL"] may use only {{base_url}} and {{course_key}}: {exc!r}.')
    backends = value.get("BACKENDS", DEFAULT_BACKENDS)
    if not isinstance(backends, Sequence) or isinstance(backends, str):
        return [*found, (f'{where}["BACKENDS"] must be a list of backend dotted paths or '
                         '{"class": path, ...options} dicts.')]
    for index, entry in enumerate(backends):
        found.extend(_backend_problems(f'{where}["BACKENDS"][{index}]', entry))
    return found


def _backend_problems(where: str, entry: Any) -> list[str]:
    if isinstance(entry, Mapping):
        if not isinstance(entry.get("class"), str):
            return [(f'{where} must name its backend class under "class", e.g. '
                     '{"class": "cert_plugin.notify.webhook.WebhookBackend", "url": ..., "secret": ...}.')]
    elif not isinstance(entry, str):
        return [f"{where} must be a backend's dotted path or a dict with \"class\" and its options."]
    try:
        backend = load_backend(entry)
    except ImportError as exc:
        return [f"{where} names a backend that cannot be imported: {exc}."]
    except (TypeError, ValueError) as exc:
        return [f"{where} has bad options: {exc}"]
    if not callable(getattr(backend, "send", None)):
        return [f"{where} is not a notification backend: it has no send(message) method."]
    return []


# --------------------------------------------------------------------------- messages


def learner_language(preferred: str, fallback: str) -> str:
    """The site language closest to the learner's (their profile, else the certificate's)."""
    for candidate in (preferred, fallback, settings.LANGUAGE_CODE):
        if not candidate:
            continue
        try:
            return translation.get_supported_language_variant(candidate)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _subject(event: str, course_title: str) -> str:
    subjects = {
        "issued": gettext("Your certificate for %(course)s is ready"),
        "reissued": gettext("Your certificate for %(course)s was updated"),
        "revoked": gettext("Your certificate for %(course)s was revoked"),
        "expiring": gettext("Your certificate for %(course)s expires soon"),
    }
    return subjects[event] % {"course": course_title}


def build(*, event: str, code: str, learner_name: str, learner_email: str, language: str, course_key: str,
          course_title: str, issuer_name: str, issued_at: dt.datetime, expires_at: dt.datetime | None,
          certificate_url: str, pdf_url: str, verify_url: str, course_url: str = "") -> Notification:
    """Render the subject and bodies of ``event`` in ``language`` and return the message."""
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}; known: {', '.join(EVENTS)}.")
    # No bidi or control characters in the subject, greeting or payloads: a U+202E in a name would
    # reorder the rest of the line in the learner's mail client (issue 13).
    learner_name, course_title = clean_name(learner_name), strip_controls(course_title)
    context = {
        "event": event, "code": code, "learner_name": learner_name, "course_title": course_title,
        "course_key": course_key, "issuer_name": issuer_name, "issued_at": issued_at,
        "expires_at": expires_at, "certificate_url": certificate_url, "pdf_url": pdf_url,
        "verify_url": verify_url, "course_url": course_url,
    }
    with translation.override(language):
        subject = _subject(event, course_title)
        context["subject"] = subject
        text = render_to_string(f"cert_plugin/email/{event}.txt", context)
        html = render_to_string(f"cert_plugin/email/{event}.html", context)
    return Notification(
        event=event, code=code, learner_name=learner_name, learner_email=learner_email, language=language,
        course_key=course_key, course_title=course_title, issuer_name=issuer_name, issued_at=issued_at,
        expires_at=expires_at, subject=" ".join(subject.split()), text=text.strip() + "\n", html=html,
        certificate_url=certificate_url, pdf_url=pdf_url, verify_url=verify_url, course_url=course_url,
    )


def send_with(entry: str | Mapping[str, Any], message: Notification) -> None:
    """Send ``message`` through one backend entry, with the learner's language active."""
    backend = load_backend(entry)
    with translation.override(message.language):
        backend.send(message)
