"""The task outbox: rows of tasks to send, and the relay that sends what is still pending.

docs/decisions/0005-task-outbox.rst. ``cert_plugin.jobs.enqueue`` records a
task here in the caller's transaction and reports the outcome of its send after
commit; ``relay_outbox`` (the ``relay_outbox`` task and ``cert_flush_outbox``)
sends what is still pending, through the scheduling port. Tasks take ids and
key strings, so their arguments are JSON. Also ``record_render_failure``'s
note for staff when a render task hits its time limit. Writes: OutboxTask.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from cert_plugin import scheduling
from cert_plugin.models import OutboxTask

log = logging.getLogger("cert_plugin.api")  # the name operators' logging configuration knows


# The committing process sends a new row first; the relay takes it only after this grace period.
OUTBOX_GRACE = timedelta(minutes=5)


# A relay's claim on the rows it is sending; one that dies lets them go when the lease ends.
OUTBOX_LEASE = timedelta(minutes=5)


_OUTBOX_BATCH = 100


@dataclass
class OutboxReport:
    """What one relay run did."""

    sent: int = 0
    failed: int = 0  # sends that failed (the rows wait for a later run)
    pending: int = 0  # rows left in the outbox after the run
    error: str = ""  # the last send error, e.g. the broker's "connection refused"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def outbox_record(task_name: str, args: Sequence[Any], *, using: str | None = None) -> int:
    """Keep task ``task_name(*args)`` to send, in the current transaction; returns the row id."""
    return outbox_record_all([(task_name, args)], using=using)[0]


def outbox_record_all(tasks: Sequence[tuple[str, Sequence[Any]]], *, using: str | None = None) -> list[int]:
    """Keep several tasks to send, in one insert where the database returns the new ids."""
    manager = OutboxTask.objects.db_manager(using)
    due = timezone.now() + OUTBOX_GRACE
    rows = [OutboxTask(task_name=name, args=list(args), next_attempt_at=due) for name, args in tasks]
    if len(rows) > 1 and connections[manager.db].features.can_return_rows_from_bulk_insert:
        return [row.pk for row in manager.bulk_create(rows)]
    for row in rows:
        row.save(force_insert=True, using=manager.db)
    return [row.pk for row in rows]


def outbox_sent(row_ids: int | Sequence[int], *, using: str | None = None) -> None:
    """The tasks reached the broker: their rows go (the outbox keeps no history)."""
    ids = [row_ids] if isinstance(row_ids, int) else list(row_ids)
    OutboxTask.objects.db_manager(using).filter(pk__in=ids).delete()


def outbox_failed(row_id: int, error: str, *, using: str | None = None) -> None:
    """A send failed: count it and keep the error for operators; the row is due for the relay at once."""
    from django.db.models import F

    now = timezone.now()
    OutboxTask.objects.db_manager(using).filter(pk=row_id).update(
        attempts=F("attempts") + 1, last_attempt_at=now, last_error=error[:2000], next_attempt_at=now)


def relay_outbox(*, limit: int = 1000) -> OutboxReport:
    """Send the outbox's due tasks, oldest first (the ``relay_outbox`` task and ``cert_flush_outbox``).

    Safe to run concurrently: each row is claimed by one relay (``SKIP LOCKED``
    where the database has it, a compare-and-set elsewhere) and sent outside any
    transaction. The first failed send ends the run, since the broker is most
    likely down, so an outage costs one attempt per run; the failed row goes to
    the back of the line, so one task that cannot be sent never holds back the others.
    """
    report = OutboxReport()
    unknown: list[int] = []  # rows of tasks this version does not know: not again in this run
    while report.sent + report.failed < limit and not report.error:
        started = timezone.now()
        batch = _claim_outbox(min(_OUTBOX_BATCH, limit - report.sent - report.failed), now=started,
                              skip=unknown)
        if not batch:
            break
        for index, row in enumerate(batch):
            try:
                scheduling.publish(row.task_name, row.args)
            except KeyError as exc:  # no such task in this version of the plugin: this row only
                report.failed += 1
                unknown.append(row.pk)
                outbox_failed(row.pk, f"Unknown task: {exc}")
                continue
            except Exception as exc:  # the broker client's many errors: stop, give the rest back
                report.failed += 1
                report.error = f"{type(exc).__name__}: {exc}"
                log.warning("cert_plugin: the outbox relay could not send %s%r; stopping this run",
                            row.task_name, tuple(row.args), exc_info=True)
                rest = [other.pk for other in batch[index + 1:]]
                OutboxTask.objects.filter(pk__in=rest).update(next_attempt_at=started)
                outbox_failed(row.pk, report.error)  # due again, after the rows given back
                break
            outbox_sent(row.pk)
            report.sent += 1
    report.pending = OutboxTask.objects.count()
    if report.sent or report.failed:
        log.info("cert_plugin: outbox relay %s", report.as_dict())
    return report


def _claim_outbox(limit: int, *, now: Any, skip: Sequence[int] = ()) -> list[OutboxTask]:
    """Take up to ``limit`` rows due at ``now`` for this relay by moving them a lease into the future."""
    from django.db import router

    lease_end = now + OUTBOX_LEASE
    due = (OutboxTask.objects.filter(next_attempt_at__lte=now).exclude(pk__in=skip)
           .order_by("next_attempt_at", "pk"))
    alias = router.db_for_write(OutboxTask)
    if transaction.get_connection(alias).features.has_select_for_update_skip_locked:
        with transaction.atomic(using=alias):  # PostgreSQL, MySQL 8, MariaDB 10.6+
            batch = list(due.select_for_update(skip_locked=True)[:limit])
            OutboxTask.objects.filter(pk__in=[row.pk for row in batch]).update(next_attempt_at=lease_end)
        return batch
    # SQLite has no SKIP LOCKED: concurrent relays may read the same rows, so each row is claimed
    # with a compare-and-set on the time it was read with; the loser's update matches no row.
    return [row for row in due[:limit]
            if OutboxTask.objects.filter(pk=row.pk, next_attempt_at=row.next_attempt_at)
            .update(next_attempt_at=lease_end)]
