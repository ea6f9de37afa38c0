"""Announcing a certificate: messages to learners and openedx-events out.

``announce`` fans out after commit: one delivery and one ``notify_backend``
task per configured backend (cert_plugin.notify: email, webhook...), so a
failing backend is retried alone and never blocks issuance; issued, reissued
and revoked also go out as openedx-events. Each send is recorded on its
delivery (``deliveries``): one that fails stays visible and is tried again
(``retry_notifications``). Also the expiry reminders (``send_expiry_reminders``).
Writes: Certificate.expiry_reminded_at (and NotificationDelivery, through ``deliveries``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cert_plugin import conf, notify, scheduling
from cert_plugin.domain import deliveries
from cert_plugin.domain.files import verify_url
from cert_plugin.domain.shared import get_host
from cert_plugin.host.base import LearnerInfo
from cert_plugin.models import Certificate, NotificationDelivery

log = logging.getLogger("cert_plugin.api")  # the name operators' logging configuration knows


def schedule_announce(certificate: Certificate, event: str) -> None:
    """Tell the outside world after commit: notifications to the learner, openedx-events out."""
    scheduling.enqueue("cert_plugin.tasks.announce", certificate.pk, event)


def render_and_announce(certificate: Certificate, event: str) -> None:
    """Render a new (or reissued) certificate's files and announce it, after commit.

    One outbox write and one clean-up for both tasks: with a broker, a backfill
    that issues thousands of certificates pays one insert and one delete each.
    """
    scheduling.enqueue_all([("cert_plugin.tasks.render_certificate", (certificate.pk,)),
                      ("cert_plugin.tasks.announce", (certificate.pk, event))])


def announce(certificate_id: int, event: str, key: str = "") -> None:
    """Send what an issued/reissued/revoked certificate calls for (the task after commit).

    Emits the openedx-event when ``EVENTS_OUT`` is on (after commit; failures
    logged). When the event is enabled in ``NOTIFY["EVENTS"]``, records one
    delivery per configured backend and queues one ``notify_backend`` task for
    each, so each backend is retried on its own and none blocks another; a
    learner who is not notified (no email address, revoked since) gets skipped
    deliveries saying why. ``key`` names what the message is about (default
    ``"<event>:r<revision>"``): announcing the same thing again sends nothing twice.
    """
    certificate = Certificate.objects.select_related("user").filter(pk=certificate_id).first()
    if certificate is None:
        log.warning("cert_plugin: cannot announce %s of certificate %s: it does not exist", event,
                    certificate_id)
        return
    if event in _OPENEDX_EVENTS and conf.get().EVENTS_OUT:
        transaction.on_commit(lambda: _emit_event(certificate, event))
    if event not in notify.enabled_events():
        return
    backends = _backends()
    key = key or f"{event}:r{certificate.revision}"
    reason = _why_not(certificate, event)
    if reason:
        deliveries.record_skipped(certificate, event, key, backends, reason)
        return
    for delivery in deliveries.record_deliveries(certificate, event, key, backends):
        scheduling.enqueue("cert_plugin.tasks.notify_backend", certificate.pk, event, delivery.backend_index,
                           delivery.pk)


_OPENEDX_EVENTS = ("issued", "reissued", "revoked")


def _backend_path(entry: str | Mapping[str, Any]) -> str:
    """A backend entry's dotted path: what a delivery records (its options may hold secrets)."""
    return entry if isinstance(entry, str) else str(entry.get("class", ""))


def _backends() -> list[tuple[int, str]]:
    return [(index, _backend_path(entry)) for index, entry in enumerate(notify.backend_entries())]


def _why_not(certificate: Certificate, event: str, learner: LearnerInfo | None = None) -> str:
    """Why the learner is not to hear of ``event`` now ("" when they are)."""
    if event not in notify.enabled_events():
        return f'"{event}" notifications were turned off (NOTIFY["EVENTS"]).'
    if event != "revoked" and certificate.status != Certificate.ISSUED:
        # revoked (or expired) since the event: the news is stale
        return f"The certificate was {certificate.status} before the message went out."
    email = (learner or get_host().learner(certificate.user)).email
    if not email:
        log.info("cert_plugin: no %s notification for %s: the learner has no email address",
                 event, certificate.verification_code)
        return "The learner has no email address."
    return ""


def _absolute(name: str, code: str) -> str:
    from django.urls import reverse

    return (conf.get().BASE_URL or "").rstrip("/") + reverse(name, args=[code])


def _notification(certificate: Certificate, event: str, learner: LearnerInfo) -> notify.Notification:
    base = (conf.get().BASE_URL or "").rstrip("/")
    if not base:
        log.warning('cert_plugin: CERT_PLUGIN["BASE_URL"] is not set; links in notifications are relative')
    code = certificate.formatted_code
    return notify.build(
        event=event,
        code=code,
        learner_name=certificate.learner_name,
        learner_email=learner.email,
        language=notify.learner_language(learner.language, certificate.language),
        course_key=str(certificate.course_key),
        course_title=certificate.course_title,
        issuer_name=certificate.issuer_name or certificate.org,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
        certificate_url=_absolute("cert_plugin:certificate", code),
        pdf_url=_absolute("cert_plugin:download-pdf", code),
        verify_url=verify_url(certificate.verification_code),
        course_url=notify.course_url(base, str(certificate.course_key)),
    )


def notify_backend(certificate_id: int, event: str, backend_index: int, delivery_id: int | None = None,
                   *, retry_in: timedelta | None = None) -> bool:
    """Send one delivery: ``event``'s notification through backend ``backend_index`` (``NOTIFY["BACKENDS"]``).

    Returns True when it was sent, False when there was nothing to send (sent
    already or being sent, event disabled, no email, certificate revoked since,
    backend removed: the delivery says which). A failure is recorded on the
    delivery (attempts, error, when it is tried again) and raised, so the
    ``notify_backend`` task can retry it; ``retry_in`` says that the task will,
    after that long. Without ``delivery_id`` (a task queued by an earlier
    version) the delivery is recorded first.
    """
    if delivery_id is None:
        certificate = Certificate.objects.filter(pk=certificate_id).first()
        backends = _backends()
        if certificate is None or backend_index >= len(backends):
            log.warning("cert_plugin: %s notification %s/%s dropped: certificate or backend no longer exists",
                        event, certificate_id, backend_index)
            return False
        rows = deliveries.record_deliveries(certificate, event, f"{event}:r{certificate.revision}",
                                            [backends[backend_index]])
        if not rows:
            return False
        delivery_id = rows[0].pk
    return _deliver(delivery_id, retry_in=retry_in)


def _deliver(delivery_id: int, *, retry_in: timedelta | None) -> bool:
    delivery = deliveries.claim_delivery(delivery_id)
    if delivery is None:
        return False  # sent, skipped, or another sender has it now
    certificate, event = delivery.certificate, delivery.event
    try:
        entry = _backend_entry(delivery)
        if entry is None:
            deliveries.skip_delivery(delivery.pk, f"The backend {delivery.backend} is no longer configured "
                                                  'in NOTIFY["BACKENDS"].')
            return False
        learner = get_host().learner(certificate.user)
        reason = _why_not(certificate, event, learner)
        if reason:
            deliveries.skip_delivery(delivery.pk, reason)
            return False
        notify.send_with(entry, _notification(certificate, event, learner))
    except Exception as exc:  # a backend raises anything on failure: recorded, retried later
        error = f"{type(exc).__name__}: {exc}".strip()
        again = deliveries.delivery_failed(delivery, error, retry_in=retry_in)
        log.warning("cert_plugin: could not send the %s notification of %s through %s (attempt %s): %s; %s",
                    event, certificate.formatted_code, delivery.backend, delivery.attempts, error,
                    f"tried again after {again.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if again else "given up")
        raise
    deliveries.delivery_sent(delivery)
    if event == "expiring":  # the reminder is marked only once it went out
        Certificate.objects.filter(pk=certificate.pk).update(expiry_reminded_at=timezone.now())
    log.info("cert_plugin: sent %s notification of %s through backend %s", event,
             certificate.verification_code, delivery.backend_index)
    return True


def _backend_entry(delivery: NotificationDelivery) -> str | Mapping[str, Any] | None:
    """The configured entry of the delivery's backend: at its index, else wherever it moved to."""
    entries = notify.backend_entries()
    index = delivery.backend_index
    if index < len(entries) and _backend_path(entries[index]) == delivery.backend:
        return entries[index]
    return next((entry for entry in entries if _backend_path(entry) == delivery.backend), None)


def retry_notifications(*, limit: int = 500) -> deliveries.DeliveryReport:
    """Try again, once each, the deliveries that failed and are due (and those whose sender died).

    Runs from ``cert_send_reminders`` and the ``send_expiry_reminders`` task, so
    a mail server that was down is tried again with or without a broker. In
    process (no broker) each is sent now and the report says how it went; with
    a broker each goes to a worker (``waiting``).
    """
    started = timezone.now()
    rows = deliveries.due_deliveries(now=started, limit=limit)
    _send_again(rows)
    return deliveries.delivery_report([row.pk for row in rows], since=started)


def retry_deliveries(delivery_ids: Iterable[int]) -> deliveries.DeliveryReport:
    """Send failed deliveries again now (an operator's "send again" in Django admin)."""
    started = timezone.now()
    rows = deliveries.retry_now(delivery_ids)
    _send_again(rows)
    return deliveries.delivery_report([row.pk for row in rows], since=started)


def _send_again(rows: Iterable[NotificationDelivery]) -> None:
    for row in rows:
        scheduling.enqueue("cert_plugin.tasks.notify_backend", row.certificate_id, row.event,
                           row.backend_index, row.pk)


def reminder_report(*, since: Any) -> deliveries.DeliveryReport:
    """What became of the reminders queued since ``since`` (for ``cert_send_reminders``)."""
    return deliveries.delivery_report(created_since=since, event="expiring", since=since)


def _emit_event(certificate: Certificate, event: str) -> None:
    from cert_plugin import events

    user = certificate.user
    try:
        enrollment_mode = getattr(get_host(), "enrollment_mode", None)
        mode = (enrollment_mode(user, certificate.course_key) if callable(enrollment_mode) else "") or ""
        data = events.certificate_data(
            event, mode=mode, user_id=user.pk, username=user.get_username(), email=user.email or "",
            is_active=bool(user.is_active), learner_name=certificate.learner_name,
            course_key=certificate.course_key, course_title=certificate.course_title, grade=certificate.grade,
            download_url=_absolute("cert_plugin:download-pdf", certificate.formatted_code),
        )
    except Exception:  # building the payload must never fail the announcement
        log.exception("cert_plugin: could not build the openedx-event for %s", certificate.verification_code)
        return
    events.emit(event, data)


def send_expiry_reminders(now: Any = None) -> int:
    """Queue an "expiring" notification for each issued certificate entering a reminder window.

    ``NOTIFY["EXPIRY_REMINDER_DAYS"]`` (e.g. ``[30, 7]``) opens a window that
    many days before expiry; a certificate is reminded once per window. Each
    reminder is a delivery per backend (key ``expiring:<expiry date>:<days>``,
    unique, so concurrent runs never queue it twice), and
    ``expiry_reminded_at`` is set only when one was sent: a reminder that
    failed stays queued and is tried again by :func:`retry_notifications`,
    never queued anew nor lost. Revoked, retired and expired certificates are
    skipped. Returns how many reminders were queued. Run it daily:
    ``manage.py cert_send_reminders`` or the ``send_expiry_reminders`` task.
    """
    from django.db.models import F

    days = notify.reminder_days()
    if "expiring" not in notify.enabled_events() or not days or not notify.backend_entries():
        return 0
    now = now or timezone.now()
    candidates = (
        Certificate.objects
        .filter(state=Certificate.ISSUED, active=True, expires_at__gt=now,
                expires_at__lte=now + timedelta(days=days[0]))
        .filter(Q(expiry_reminded_at__isnull=True)
                | Q(expiry_reminded_at__lt=F("expires_at") - timedelta(days=days[-1])))
        .order_by("pk")
        .values_list("pk", "expires_at", "expiry_reminded_at")
    )
    queued = 0
    for chunk in _chunks(candidates.iterator(), 500):
        already = deliveries.deliveries_of([pk for pk, _, _ in chunk], "expiring")
        for pk, expires_at, reminded_at in chunk:
            if expires_at is None:  # excluded by the query; keeps the types honest
                continue
            window = min(d for d in days if expires_at - now <= timedelta(days=d))
            if reminded_at is not None and reminded_at >= expires_at - timedelta(days=window):
                continue  # already reminded in this window
            key = f"expiring:{expires_at:%Y-%m-%d}:{window}"
            if (pk, key) in already:
                continue  # queued before: sent, or failed and tried again by retry_notifications
            scheduling.enqueue("cert_plugin.tasks.announce", pk, "expiring", key)
            queued += 1
    return queued


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
