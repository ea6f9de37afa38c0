"""Celery tasks: thin wrappers over :mod:`cert_plugin.api` taking ids and key strings.

Send them with :func:`cert_plugin.jobs.enqueue`, never directly, so they run
after commit and in-process when the host has no broker.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError

from cert_plugin import api

log = logging.getLogger(__name__)

__all__ = ["announce", "backfill_course", "evaluate_learner", "notify_backend", "relay_outbox",
           "render_certificate", "run_job", "send_expiry_reminders"]


@shared_task(name="cert_plugin.tasks.evaluate_learner", autoretry_for=(DatabaseError,),
             retry_backoff=True, max_retries=5)
def evaluate_learner(user_id: int, course_key: str) -> str | None:
    """Re-evaluate one learner in one course; returns the certificate code if one is active."""
    certificate = api.evaluate_ids(user_id, course_key)
    return certificate.verification_code if certificate else None


# The course-wide tasks are idempotent, so they acknowledge late and ask to be delivered again when
# their worker process dies mid-run (killed, out of memory): a rerun finishes the work without duplicates.
@shared_task(name="cert_plugin.tasks.backfill_course", autoretry_for=(DatabaseError,),
             retry_backoff=True, max_retries=3, acks_late=True, reject_on_worker_lost=True)
def backfill_course(course_key: str) -> dict[str, int]:
    """Evaluate every enrolled learner of a course (late-attached certificates)."""
    return api.backfill(course_key).as_dict()


# A render takes well under a second; one that runs for minutes is stuck (a pathological template,
# a wedged font cache). The soft limit raises inside the task, which records it for staff and
# retries; the hard limit ends the worker process if even that does not return.
RENDER_SOFT_TIME_LIMIT = 120
RENDER_TIME_LIMIT = 150


@shared_task(name="cert_plugin.tasks.render_certificate", autoretry_for=(api.RenderFailed, DatabaseError),
             retry_backoff=30, retry_backoff_max=600, max_retries=5,
             soft_time_limit=RENDER_SOFT_TIME_LIMIT, time_limit=RENDER_TIME_LIMIT)
def render_certificate(certificate_id: int) -> dict[str, int]:
    """Render and store a new (or reissued) certificate's PDF and PNG, so downloads are instant.

    A failure, or a render that outlives the soft time limit, leaves the
    certificate issued and valid, records the error for staff
    (``Certificate.render_error``) and is retried with backoff; the first
    download renders it too if every retry failed.
    """
    try:
        return api.render_files(certificate_id)
    except SoftTimeLimitExceeded as exc:
        limit = (render_certificate.request.timelimit or (None, None))[1] or RENDER_SOFT_TIME_LIMIT
        api.record_render_failure(certificate_id, f"Rendering took longer than {limit:g} seconds and was "
                                                  "stopped; it will be tried again.")
        raise api.RenderFailed("The render timed out.") from exc


@shared_task(name="cert_plugin.tasks.run_job", autoretry_for=(DatabaseError,), retry_backoff=True,
             max_retries=3, acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> str | None:
    """Run a staff-started course job (backfill, reissue all), recording its progress."""
    job = api.run_job(job_id)
    return job.state if job else None


@shared_task(name="cert_plugin.tasks.announce", autoretry_for=(DatabaseError,), retry_backoff=True,
             max_retries=5)
def announce(certificate_id: int, event: str, key: str = "") -> None:
    """Notify the learner and emit events for an issued, reissued, revoked or expiring certificate."""
    api.announce(certificate_id, event, key)


# A worker retries a failed delivery itself after 1, 2, 4... minutes (at most an hour), five times;
# then, and in process (no broker), it waits on its record for api.retry_notifications.
NOTIFY_MAX_RETRIES = 5


@shared_task(bind=True, name="cert_plugin.tasks.notify_backend", max_retries=NOTIFY_MAX_RETRIES)
def notify_backend(self: Any, certificate_id: int, event: str, backend_index: int,
                   delivery_id: int | None = None) -> bool:
    """Send one notification through one backend; a failure retries this backend alone, with backoff.

    Every attempt is recorded on the delivery (attempts, last error), so a
    failure stays visible in Django admin. In process there is no point in
    retrying at once (the mail server that refused a moment ago refuses again):
    the delivery waits for ``api.retry_notifications`` (``cert_send_reminders``).
    """
    retries = self.request.retries or 0
    retry_in = None
    if not self.request.is_eager and retries < NOTIFY_MAX_RETRIES:
        retry_in = timedelta(seconds=min(3600, 60 * 2 ** retries))
    try:
        return api.notify_backend(certificate_id, event, backend_index, delivery_id, retry_in=retry_in)
    except Exception as exc:  # recorded on the delivery and logged by the api
        if retry_in is None:
            return False
        raise self.retry(exc=exc, countdown=retry_in.total_seconds()) from exc


@shared_task(name="cert_plugin.tasks.send_expiry_reminders", autoretry_for=(DatabaseError,),
             retry_backoff=True, max_retries=3)
def send_expiry_reminders() -> int:
    """Retry failed notifications, then queue "expires soon" reminders (run daily from celery beat).

    Returns how many reminders were queued.
    """
    api.retry_notifications()
    return api.send_expiry_reminders()


@shared_task(name="cert_plugin.tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> dict[str, Any]:
    """Send the tasks a broker outage left in the outbox (run every minute from celery beat).

    Concurrent runs are safe: each pending task is claimed by one run.
    """
    return api.relay_outbox().as_dict()
