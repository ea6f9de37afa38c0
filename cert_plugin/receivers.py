"""Signal receivers: host events only say *when* to re-evaluate a learner.

Each receiver unpacks its payload and schedules ``evaluate_learner`` after
the transaction commits; the host stays the source of truth (the task asks it
for grades and completions). No rendering and no host calls happen here.

A receiver runs inside the LMS's own request (a grade or a completion being
saved), so it never raises into the host's signal dispatch: a payload it
cannot read is logged and ignored, and so is any failure of its own. Nothing
is lost by that: the payload never decides anything (the task asks the host),
the learner's next event evaluates them again, and ``cert_backfill`` catches up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import connection
from django.utils.module_loading import import_string
from opaque_keys.edx.keys import CourseKey

from cert_plugin import jobs
from cert_plugin.models import CourseCertificateConfig

log = logging.getLogger(__name__)

__all__ = [
    "connect_all",
    "on_block_completion_saved",
    "on_course_passing_status_updated",
    "on_persistent_grade_summary_changed",
]


def _contained(receiver: Callable[..., None]) -> Callable[..., None]:
    """The receiver logs its failures instead of raising them into the host's signal dispatch."""

    @wraps(receiver)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            receiver(*args, **kwargs)
        except Exception:  # the host's save must go on; see the module docstring
            log.exception("cert_plugin: %s failed; the event is ignored (the learner is evaluated "
                          "again on their next event, or by cert_backfill)", receiver.__name__)

    return wrapper


@_contained
def on_course_passing_status_updated(sender: Any = None, course_passing_status: Any = None,
                                     **kwargs: Any) -> None:
    """openedx-events COURSE_PASSING_STATUS_UPDATED (CoursePassingStatusData)."""
    data = course_passing_status
    _schedule(getattr(getattr(data, "user", None), "id", None), getattr(getattr(data, "course", None),
                                                                        "course_key", None))


@_contained
def on_persistent_grade_summary_changed(sender: Any = None, grade: Any = None, **kwargs: Any) -> None:
    """openedx-events PERSISTENT_GRADE_SUMMARY_CHANGED (PersistentCourseGradeData)."""
    _schedule(getattr(grade, "user_id", None), getattr(getattr(grade, "course", None), "course_key", None))


@_contained
def on_block_completion_saved(sender: Any = None, instance: Any = None, **kwargs: Any) -> None:
    """post_save of edx-completion's BlockCompletion: a lesson was completed."""
    completion = getattr(instance, "completion", None)
    if isinstance(completion, bool) or not isinstance(completion, int | float) or not completion >= 1.0:
        return  # only a finished block can make a learner newly eligible
    _schedule(getattr(instance, "user_id", None), getattr(instance, "context_key", None))


def _schedule(user_id: Any, course_key: Any) -> None:
    valid_user = isinstance(user_id, int) and not isinstance(user_id, bool) and user_id > 0
    if not valid_user or not isinstance(course_key, CourseKey):
        log.warning("cert_plugin: ignoring an event without a learner or course (%r, %r)",
                    user_id, course_key)
        return
    if not CourseCertificateConfig.objects.filter(course_key=course_key, enabled=True).exists():
        return  # the course offers no certificate: nothing to evaluate
    pending = _scheduled_in_transaction()
    marker = (user_id, str(course_key))
    if marker in pending:
        return  # the same learner is already queued by this transaction
    pending.add(marker)
    jobs.enqueue("cert_plugin.tasks.evaluate_learner", user_id, str(course_key))


def _scheduled_in_transaction() -> set[tuple[int, str]]:
    """Evaluations queued in the current transaction, so a save storm queues one task.

    The set is tied to the transaction's own list of commit hooks, which Django
    replaces on commit and on rollback, so nothing stale survives either. In
    autocommit mode every event is its own transaction and nothing is merged.
    """
    if not connection.in_atomic_block:
        return set()
    hooks = connection.run_on_commit
    held = getattr(connection, "_cert_plugin_pending", None)
    if held is None or held[0] is not hooks:
        held = connection._cert_plugin_pending = (hooks, set())  # type: ignore[attr-defined]
    return held[1]


def connect_all(receivers: list[dict[str, str]]) -> None:
    """Connect the receivers that the Open edX ``signals_config`` declares.

    Used in plain Django hosts; in Open edX the plugin framework connects the
    same functions with the same dispatch_uids, so they never connect twice.
    A sender that is not installed (no edx-completion) is skipped with a log line.
    """
    for spec in receivers:
        signal = import_string(spec["signal_path"])
        sender = None
        if spec.get("sender_path"):
            try:
                sender = import_string(spec["sender_path"])
            except (ImportError, RuntimeError) as exc:
                log.info("cert_plugin: not listening to %s: %s", spec["sender_path"], exc)
                continue
        signal.connect(globals()[spec["receiver_func_name"]], sender=sender,
                       dispatch_uid=spec["dispatch_uid"], weak=False)
