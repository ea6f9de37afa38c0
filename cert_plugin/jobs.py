"""The one helper through which the plugin sends background work.

Work is always sent *after the current transaction commits*, so a task never
runs against rows that are not visible yet, and a rolled-back request sends
nothing. Where it runs depends on the host's Django settings:

* no ``CELERY_BROKER_URL`` (or ``CELERY_TASK_ALWAYS_EAGER = True``): in
  process, right after commit (the embedded default, used by the demo);
* otherwise: to the broker through the host's Celery app, for real workers.

A broker that is down never breaks the request that triggered the work: the
failure is logged, and the state is reconciled later (evaluation is derived
from host facts, so ``cert_backfill`` re-derives anything missed).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

__all__ = ["enqueue", "runs_in_process"]

_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def runs_in_process() -> bool:
    """True when no broker is configured: tasks run eagerly after commit."""
    return not getattr(settings, "CELERY_BROKER_URL", "") or bool(
        getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    )


def enqueue(task_name: str, *args: Any, using: str | None = None) -> None:
    """Send task ``task_name`` with ``args`` (ids and key strings) after commit."""
    transaction.on_commit(lambda: _send(task_name, args), using=using)


def _send(task_name: str, args: tuple[Any, ...]) -> None:
    import cert_plugin.tasks  # noqa: F401  (registers the tasks with the current app)

    task = current_app.tasks[task_name]
    if runs_in_process():
        result = task.apply(args=args)
        if result.failed():
            log.error("cert_plugin task %s%r failed in process: %s", task_name, args, result.result)
        return
    try:
        task.apply_async(args=args, retry=True, retry_policy=_PUBLISH_RETRY)
    except Exception:  # the broker's client raises many types; none may break the caller
        log.exception("cert_plugin could not send %s%r to the broker; run cert_backfill to reconcile",
                      task_name, args)
