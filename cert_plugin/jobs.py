"""The one helper through which the plugin sends background work.

Work is always sent *after the current transaction commits*, so a task never
runs against rows that are not visible yet, and a rolled-back request sends
nothing. Where it runs depends on the host's Django settings:

* no ``CELERY_BROKER_URL`` (or ``CELERY_TASK_ALWAYS_EAGER = True``): in
  process, right after commit (the embedded default, used by the demo);
* otherwise: to the broker through the host's Celery app, for real workers,
  through a transactional outbox.

The outbox (``OutboxTask``, ADR 0005): :func:`enqueue` writes the task's name
and JSON arguments in the caller's transaction, so the task and the work that
calls for it commit (or roll back) together. After commit the task is
published and its row deleted. A broker that is down never breaks the request:
the failed send is recorded on the row (attempts, last error, shown in Django
admin) and the relay sends it when the broker is back: the
``cert_plugin.tasks.relay_outbox`` task (celery beat, every minute) or
``manage.py cert_flush_outbox`` (cron). Delivery is at least once: a process
that dies between publishing and deleting the row has its task sent again.

The domain never imports this module: it schedules work through the port
:mod:`cert_plugin.scheduling`, which this module provides on import. This
module depends on the domain (the api writes the outbox rows), not the reverse.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from functools import partial
from typing import Any, cast

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, transaction

from cert_plugin import api, scheduling

log = logging.getLogger(__name__)

__all__ = ["enqueue", "enqueue_all", "publish", "runs_in_process"]

# How hard one send tries before the row is left to the relay: two quick reconnects, about a
# second in all, so a request never waits long on a broker that is down.
_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
RELAY_TASK = "cert_plugin.tasks.relay_outbox"

# Set when a send from this process failed; the next send that succeeds queues the relay once,
# so the backlog drains as soon as the broker answers again, beat or no beat.
_behind = False


def runs_in_process() -> bool:
    """True when no broker is configured: tasks run eagerly after commit."""
    return not getattr(settings, "CELERY_BROKER_URL", "") or bool(
        getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    )


def enqueue(task_name: str, *args: Any, using: str | None = None) -> None:
    """Send task ``task_name`` with ``args`` (ids and key strings) after commit.

    With a broker, the task is first written to the outbox in the current
    transaction (in autocommit mode: at once), then published after commit.
    """
    enqueue_all([(task_name, args)], using=using)


def enqueue_all(tasks: Sequence[tuple[str, Sequence[Any]]], *, using: str | None = None) -> None:
    """:func:`enqueue` for several tasks that one change calls for, sent in this order.

    With a broker they share one outbox write and one clean-up after they are sent.
    """
    work = [(name, tuple(args)) for name, args in tasks]
    if runs_in_process():
        for name, args in work:
            transaction.on_commit(partial(_run_in_process, name, args), using=using)
        return
    row_ids = api.outbox_record_all(work, using=using)
    transaction.on_commit(partial(_send_recorded, list(zip(row_ids, work, strict=True)), using), using=using)


def publish(task_name: str, args: Sequence[Any]) -> None:
    """Hand one task to the broker now (in process when there is none).

    Raises ``KeyError`` for a task that is not registered and whatever the
    broker's client raises when it cannot send; the caller keeps the outbox row.
    """
    import cert_plugin.tasks  # noqa: F401  (registers the tasks with the current app)

    task = current_app.tasks[task_name]
    if runs_in_process():
        _report(task_name, tuple(args), task.apply(args=list(args)))
        return
    task.apply_async(args=list(args), retry=True, retry_policy=_PUBLISH_RETRY)


def _run_in_process(task_name: str, args: tuple[Any, ...]) -> None:
    import cert_plugin.tasks  # noqa: F401

    _report(task_name, args, current_app.tasks[task_name].apply(args=args))


def _report(task_name: str, args: tuple[Any, ...], result: Any) -> None:
    if result.failed():
        log.error("cert_plugin task %s%r failed in process: %s", task_name, args, result.result)


def _send_recorded(rows: list[tuple[int, tuple[str, tuple[Any, ...]]]], using: str | None) -> None:
    """After commit: publish the tasks and drop the rows of those sent; a failed one stays for the relay."""
    global _behind
    sent = []
    for row_id, (task_name, args) in rows:
        try:
            publish(task_name, args)
        except Exception as exc:  # the broker's client raises many types; none may break the caller
            _behind = True
            log.warning("cert_plugin could not send %s%r to the broker; it stays in the outbox for the relay",
                        task_name, args, exc_info=True)
            _quietly(api.outbox_failed, row_id, f"{type(exc).__name__}: {exc}", using=using)
            continue
        sent.append(row_id)
    if not sent:
        return
    _quietly(api.outbox_sent, sent, using=using)
    if _behind:
        _behind = False
        try:
            publish(RELAY_TASK, ())
        except Exception:  # the relay's own schedule (beat, cron) still runs
            log.warning("cert_plugin could not queue the outbox relay", exc_info=True)


def _quietly(update: Any, *args: Any, **kwargs: Any) -> None:
    """Record a send's outcome; a database hiccup here only delays the relay (the row stays)."""
    try:
        update(*args, **kwargs)
    except DatabaseError:
        log.exception("cert_plugin could not record the outcome of sending outbox task %s", args[0])


# The domain's scheduling port sends through this module (its functions are looked up at call time).
scheduling.provide(cast("scheduling.TaskSender", sys.modules[__name__]))
