"""The record of each notification's delivery: queued, sent, failed (and why), tried again.

A learner's notification goes through each configured backend (email,
webhook...) as one ``NotificationDelivery`` row, written before the first send
and updated after each attempt. So a delivery that fails is never lost: its row
keeps the attempts and the last error for operators (Django admin) and a time
to try again, and ``due_deliveries`` hands it back to whatever runs the retries
(``retry_notifications`` in ``notifications``: the reminders command and task),
with or without a broker. Sending itself (building the message, calling the
backend) is the notifications room's. Writes: NotificationDelivery.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from cert_plugin.models import Certificate, NotificationDelivery

# A sender that claimed a delivery and went silent this long (its process died) lets it go.
DELIVERY_LEASE = timedelta(minutes=10)

# Tried again after 10 minutes, then 20, 40... at most every 6 hours; after this many attempts the
# delivery is given up (it stays in admin as failed, where an operator can send it again).
RETRY_FIRST = timedelta(minutes=10)
RETRY_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 12


@dataclass
class DeliveryReport:
    """What became of a group of deliveries (one reminders run, one retry run)."""

    sent: int = 0
    failed: int = 0  # failed this time; they are tried again later
    waiting: int = 0  # queued for a worker (with a broker), outcome not known yet
    skipped: int = 0  # no longer needed (certificate revoked or expired since, no email address)
    error: str = ""  # the last failure's error, e.g. "ConnectionRefusedError: [Errno 111] ..."

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_deliveries(certificate: Certificate, event: str, key: str,
                      backends: Sequence[tuple[int, str]]) -> list[NotificationDelivery]:
    """The delivery rows of ``key`` for each ``(index, dotted path)`` backend, created when missing.

    Returns the rows still waiting for their first send (new ones, or ones whose
    task was lost): the caller queues one send for each. A row already sent,
    failed or being sent is left to its sender and to the retries.
    """
    rows = []
    for index, backend in backends:
        try:
            with transaction.atomic():
                row, _ = NotificationDelivery.objects.get_or_create(
                    certificate=certificate, key=key, backend_index=index,
                    defaults={"event": event, "backend": backend[:255]})
        except IntegrityError:  # a concurrent announcement created it first
            row = NotificationDelivery.objects.get(certificate=certificate, key=key, backend_index=index)
        if row.state == NotificationDelivery.PENDING:
            rows.append(row)
    return rows


def record_skipped(certificate: Certificate, event: str, key: str, backends: Sequence[tuple[int, str]],
                   reason: str) -> None:
    """Note that ``key`` was not sent through ``backends``, and why (no email address...)."""
    for index, backend in backends:
        with transaction.atomic():
            row, created = NotificationDelivery.objects.get_or_create(
                certificate=certificate, key=key, backend_index=index,
                defaults={"event": event, "backend": backend[:255], "state": NotificationDelivery.SKIPPED,
                          "last_error": reason})
        if not created and row.state == NotificationDelivery.PENDING:
            skip_delivery(row.pk, reason)


def claim_delivery(delivery_id: int) -> NotificationDelivery | None:
    """Take a delivery for one send attempt (counted now); None when it is sent, skipped or being sent.

    A compare-and-set on the state, so two senders (a retried task and the
    retry run, a repeated announcement) never send the same delivery at once.
    """
    now = timezone.now()
    sendable = Q(state__in=[NotificationDelivery.PENDING, NotificationDelivery.FAILED]) | Q(
        state=NotificationDelivery.SENDING, next_attempt_at__lte=now)
    claimed = NotificationDelivery.objects.filter(sendable, pk=delivery_id).update(
        state=NotificationDelivery.SENDING, attempts=F("attempts") + 1, last_attempt_at=now,
        next_attempt_at=now + DELIVERY_LEASE)
    if not claimed:
        return None
    return NotificationDelivery.objects.select_related("certificate", "certificate__user").get(pk=delivery_id)


def delivery_sent(delivery: NotificationDelivery) -> None:
    NotificationDelivery.objects.filter(pk=delivery.pk).update(
        state=NotificationDelivery.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error="")


def delivery_failed(delivery: NotificationDelivery, error: str, *,
                    retry_in: timedelta | None = None) -> datetime | None:
    """Record a failed attempt; returns when it is tried again (None: given up after too many).

    ``retry_in``: the worker retries it itself after that long (Celery's
    backoff); the retry run leaves it alone until a little after.
    """
    now = timezone.now()
    if retry_in is not None:
        again: datetime | None = now + retry_in + DELIVERY_LEASE
    elif delivery.attempts >= MAX_ATTEMPTS:
        again = None
    else:
        again = now + min(RETRY_MAX, RETRY_FIRST * 2 ** max(0, delivery.attempts - 1))
    NotificationDelivery.objects.filter(pk=delivery.pk).update(
        state=NotificationDelivery.FAILED, last_error=error[:2000], next_attempt_at=again)
    return again


def skip_delivery(delivery_id: int, reason: str) -> None:
    """The message is not needed any more (revoked since, no email address, backend removed)."""
    NotificationDelivery.objects.filter(pk=delivery_id).exclude(state=NotificationDelivery.SENT).update(
        state=NotificationDelivery.SKIPPED, last_error=reason[:2000], next_attempt_at=None)


def due_deliveries(*, now: datetime | None = None, limit: int = 500) -> list[NotificationDelivery]:
    """Deliveries to try again now, oldest first, each held for a lease so no other run takes it.

    Failed ones whose time has come, ones whose sender went silent, and ones
    still waiting for a first send whose task never ran.
    """
    now = now or timezone.now()
    due = (NotificationDelivery.objects
           .filter(Q(state__in=[NotificationDelivery.FAILED, NotificationDelivery.SENDING],
                     next_attempt_at__lte=now)
                   | (Q(state=NotificationDelivery.PENDING, created_at__lte=now - DELIVERY_LEASE)
                      & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))))
           .order_by("created_at", "pk"))
    taken = []
    for row in due[:limit]:
        # The same compare-and-set as a claim, on the time read: a concurrent run takes it or we do.
        if NotificationDelivery.objects.filter(pk=row.pk, state=row.state, next_attempt_at=row.next_attempt_at
                                               ).update(next_attempt_at=now + DELIVERY_LEASE):
            taken.append(row)
    return taken


def retry_now(delivery_ids: Iterable[int]) -> list[NotificationDelivery]:
    """An operator's "send again": failed (or given up) deliveries become due at once."""
    rows = list(NotificationDelivery.objects.filter(pk__in=list(delivery_ids),
                                                    state=NotificationDelivery.FAILED))
    now = timezone.now()
    NotificationDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(
        next_attempt_at=now + DELIVERY_LEASE)
    return rows


def delivery_report(delivery_ids: Iterable[int] = (), *, created_since: datetime | None = None,
                    event: str | None = None, since: datetime | None = None) -> DeliveryReport:
    """What became of the deliveries ``delivery_ids`` (or those created since ``created_since``).

    ``since``: the start of the run; a failed delivery not attempted since then
    is still waiting for its worker.
    """
    rows = NotificationDelivery.objects.all()
    if created_since is not None:
        rows = rows.filter(created_at__gte=created_since)
    else:
        rows = rows.filter(pk__in=list(delivery_ids))
    if event is not None:
        rows = rows.filter(event=event)
    report = DeliveryReport()
    for state, attempted_at, error in rows.order_by("last_attempt_at").values_list(
            "state", "last_attempt_at", "last_error"):
        if state == NotificationDelivery.SENT:
            report.sent += 1
        elif state == NotificationDelivery.SKIPPED:
            report.skipped += 1
        elif state == NotificationDelivery.FAILED and _attempted_since(attempted_at, since):
            report.failed += 1
            report.error = error
        else:
            report.waiting += 1
    return report


def _attempted_since(attempted_at: datetime | None, since: datetime | None) -> bool:
    return since is None or (attempted_at is not None and attempted_at >= since)


def deliveries_of(certificate_ids: Iterable[int], event: str) -> set[tuple[int, str]]:
    """The ``(certificate id, key)`` pairs already queued for ``event`` (reminders are queued once)."""
    return set(NotificationDelivery.objects.filter(certificate_id__in=list(certificate_ids), event=event)
               .values_list("certificate_id", "key"))
