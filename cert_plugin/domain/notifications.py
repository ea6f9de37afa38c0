"""Announcing a certificate: messages to learners and openedx-events out.

``announce`` fans out after commit: one ``notify_backend`` task per configured
backend (cert_plugin.notify: email, webhook...), so a failing backend is
retried alone and never blocks issuance; issued, reissued and revoked also go
out as openedx-events. Also the expiry reminders (``send_expiry_reminders``).
Writes: Certificate.expiry_reminded_at.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cert_plugin import conf, notify, scheduling
from cert_plugin.domain.files import verify_url
from cert_plugin.domain.shared import get_host
from cert_plugin.host.base import LearnerInfo
from cert_plugin.models import Certificate

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


def announce(certificate_id: int, event: str) -> None:
    """Send what an issued/reissued/revoked certificate calls for (the task after commit).

    Emits the openedx-event when ``EVENTS_OUT`` is on (after commit; failures
    logged), then queues one ``notify_backend`` task per configured backend when
    the event is enabled in ``NOTIFY["EVENTS"]`` and the learner has an email, so
    each backend is retried on its own and none blocks another.
    """
    certificate = Certificate.objects.select_related("user").filter(pk=certificate_id).first()
    if certificate is None:
        log.warning("cert_plugin: cannot announce %s of certificate %s: it does not exist", event,
                    certificate_id)
        return
    if event in _OPENEDX_EVENTS and conf.get().EVENTS_OUT:
        transaction.on_commit(lambda: _emit_event(certificate, event))
    if not _should_notify(certificate, event):
        return
    for index in range(len(notify.backend_entries())):
        scheduling.enqueue("cert_plugin.tasks.notify_backend", certificate.pk, event, index)


_OPENEDX_EVENTS = ("issued", "reissued", "revoked")


def _should_notify(certificate: Certificate, event: str, learner: LearnerInfo | None = None) -> bool:
    if event not in notify.enabled_events():
        return False
    if event != "revoked" and certificate.status != Certificate.ISSUED:
        return False  # revoked (or expired) since the event: the news is stale
    email = (learner or get_host().learner(certificate.user)).email
    if not email:
        log.info("cert_plugin: no %s notification for %s: the learner has no email address",
                 event, certificate.verification_code)
        return False
    return True


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


def notify_backend(certificate_id: int, event: str, backend_index: int) -> bool:
    """Send ``event``'s notification through backend ``backend_index`` of ``NOTIFY["BACKENDS"]``.

    Raises whatever the backend raises (the ``notify_backend`` task retries it);
    returns False when there is nothing to send (event disabled, no email,
    certificate gone or revoked since, backend removed from the settings).
    """
    certificate = Certificate.objects.select_related("user").filter(pk=certificate_id).first()
    entries = notify.backend_entries()
    if certificate is None or backend_index >= len(entries):
        log.warning("cert_plugin: %s notification %s/%s dropped: certificate or backend no longer exists",
                    event, certificate_id, backend_index)
        return False
    learner = get_host().learner(certificate.user)
    if not _should_notify(certificate, event, learner):
        return False
    notify.send_with(entries[backend_index], _notification(certificate, event, learner))
    log.info("cert_plugin: sent %s notification of %s through backend %s", event,
             certificate.verification_code, backend_index)
    return True


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
    many days before expiry; a certificate is reminded once per window
    (``expiry_reminded_at`` records it, claimed with a compare-and-set so
    concurrent runs never remind twice). Revoked, retired and expired
    certificates are skipped. Returns how many reminders were queued. Run it
    daily: ``manage.py cert_send_reminders`` or the ``send_expiry_reminders`` task.
    """
    from django.db.models import F

    days = notify.reminder_days()
    if "expiring" not in notify.enabled_events() or not days:
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
    for pk, expires_at, reminded_at in candidates.iterator():
        if expires_at is None:  # excluded by the query; keeps the types honest
            continue
        window = min(d for d in days if expires_at - now <= timedelta(days=d))
        if reminded_at is not None and reminded_at >= expires_at - timedelta(days=window):
            continue  # already reminded in this window
        with transaction.atomic():
            claimed = Certificate.objects.filter(pk=pk, expiry_reminded_at=reminded_at).update(
                expiry_reminded_at=now)
            if claimed:
                scheduling.enqueue("cert_plugin.tasks.announce", pk, "expiring")
                queued += 1
    return queued
