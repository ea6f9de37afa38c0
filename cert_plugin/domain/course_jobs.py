"""Course jobs: backfill and reissue-all, run by workers and watched by staff.

Owns ``backfill`` (evaluate every enrolled learner, in chunks of bulk reads),
``queue_backfill``, ``start_job``/``run_job`` with progress and heartbeat
(a job whose worker died is failed and can be started again),
``reissue_all`` and the reads of jobs. Writes: Job.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import timedelta
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from cert_plugin import conf, scheduling
from cert_plugin.domain.issuing import CourseFacts, LearnerFacts, evaluate_with_progress
from cert_plugin.domain.lifecycle import reissue
from cert_plugin.domain.shared import (
    CertPluginError,
    UnknownCourse,
    get_config,
    get_host,
    parse_course_key,
    user_id_of,
)
from cert_plugin.domain.staff import enrolled_count
from cert_plugin.domain.templates import issuing_version
from cert_plugin.models import (
    Certificate,
    CourseCertificateConfig,
    Job,
)
from cert_plugin.text import clean_name

log = logging.getLogger("cert_plugin.api")  # the name operators' logging configuration knows


@dataclass
class BackfillReport:
    """Counts from evaluating every enrolled learner of a course."""

    course_key: str
    learners: int = 0
    issued: int = 0  # newly issued by this run
    already_issued: int = 0
    pending_approval: int = 0
    in_progress: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Learners evaluated per bulk read of grades and completions (when the host offers bulk reads).
_BACKFILL_CHUNK = 500


def backfill(course_key: CourseKey | str, *,
             on_progress: Callable[[int], None] | None = None) -> BackfillReport:
    """Evaluate every enrolled learner; issue to those who already qualify.

    Safe to run again (it never duplicates) and safe to interrupt: a rerun
    picks up where the last one stopped, since evaluation is idempotent.
    The course's facts (config, course, outline, template) are read once per
    run; each learner costs one read of their certificates plus their grade
    and completions, which are read in bulk when the host offers
    ``grades_for`` / ``completed_blocks_for``.
    """
    key = parse_course_key(course_key)
    course = CourseFacts(key)
    course.require_info()
    report = BackfillReport(course_key=str(key))
    learners: Iterable[Any] = course.host.enrolled_learners(key)
    for chunk in _chunks(learners, _BACKFILL_CHUNK):
        facts = _bulk_facts(course, chunk)
        for learner in chunk:
            report.learners += 1
            try:
                _backfill_one(learner, course, report, facts.get(user_id_of(learner)))
            except Exception:  # one learner's bad data must not stop the course's backfill
                report.failed += 1
                log.exception("cert_plugin: backfill of user %s in %s failed", user_id_of(learner), key)
            if on_progress is not None:
                on_progress(report.learners)
    log.info("cert_plugin: backfill %s", report.as_dict())
    return report


def _chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _bulk_facts(course: CourseFacts, learners: list[Any]) -> dict[Any, LearnerFacts]:
    """Grades and completions of many learners in a few reads, when the host offers bulk reads.

    Learners the host left out are read one by one later; a failing bulk read
    is logged and falls back to that too.
    """
    if not course.offered:
        return {}  # nobody is evaluated against requirements
    facts: dict[Any, LearnerFacts] = {user_id_of(learner): LearnerFacts() for learner in learners}
    grades_for = getattr(course.host, "grades_for", None)
    completed_for = getattr(course.host, "completed_blocks_for", None)
    try:
        if callable(grades_for):
            for user_id, grade in grades_for(learners, course.key).items():
                if user_id in facts:
                    facts[user_id].grade = grade
        if callable(completed_for):
            for user_id, completed in completed_for(learners, course.key).items():
                if user_id in facts:
                    facts[user_id].completed = set(completed)
    except Exception:  # the learners are then read one by one, each failing on its own if it must
        log.exception("cert_plugin: bulk read of grades or completions in %s failed", course.key)
        return {}
    return facts


def queue_backfill(course_key: CourseKey | str) -> None:
    """Send a backfill of the course to the workers (in process when there is no broker)."""
    key = parse_course_key(course_key)
    if get_host().course(key) is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    scheduling.enqueue("cert_plugin.tasks.backfill_course", str(key))


def _backfill_one(learner: Any, course: CourseFacts, report: BackfillReport,
                  facts: LearnerFacts | None) -> None:
    certificate, progress = evaluate_with_progress(learner, course, facts, backfill=True)
    if progress is None:
        report.already_issued += 1
        return
    if certificate is not None:
        report.issued += 1
        return
    status = progress.status
    if status == "pending_approval":
        report.pending_approval += 1
    elif status == "issued":
        report.already_issued += 1
    else:
        report.in_progress += 1


_NO_CONFIG = ("%(course)s has no certificate settings yet: save its requirements first (Settings tab); "
              "until then there is nothing to backfill or reissue.")


def start_job(kind: str, course_key: CourseKey | str, *, by: Any = None) -> Job:
    """Start a course-wide job (backfill or reissue all) on the workers; staff watch ``job(id)``.

    While one of the same kind is queued or running, that one is returned (a
    second click shows the same progress bar), unless it is dead: silent for
    ``CERT_PLUGIN["JOB_STALE_AFTER"]`` seconds, as when its worker was killed.
    The dead one is then marked failed, saying so, and a new one starts (the
    jobs are idempotent: the new one finishes what the dead one began). A
    course with no certificate settings has nothing to run (CertPluginError).
    """
    key = parse_course_key(course_key)
    if kind not in (Job.BACKFILL, Job.REISSUE_ALL):
        raise CertPluginError(f"Unknown job {kind!r}.")
    if get_host().course(key) is None:
        raise UnknownCourse(f"The LMS has no course {key}.")
    with transaction.atomic():
        # Simultaneous clicks queue behind the course's config row (SQLite: behind the one writer, its
        # transactions start IMMEDIATE), so the second re-reads the first one's job here and returns it.
        if CourseCertificateConfig.objects.select_for_update().filter(course_key=key).first() is None:
            raise CertPluginError(_NO_CONFIG % {"course": key})
        running = Job.objects.filter(kind=kind, course_key=key, state__in=[Job.QUEUED, Job.RUNNING]).first()
        if running is not None and not _fail_if_dead(running):
            return running  # one at a time: a second click shows the same progress bar
        job = Job.objects.create(kind=kind, course_key=key, started_by=by)
        scheduling.enqueue("cert_plugin.tasks.run_job", job.pk)
    return job


def job(job_id: int) -> Job | None:
    """A job's current state and progress (a dead job shows as failed, saying why)."""
    found = Job.objects.filter(pk=job_id).first()
    if found is not None:
        _fail_if_dead(found)
    return found


def recent_jobs(course_key: CourseKey | str, *, limit: int = 10) -> list[Job]:
    found = list(Job.objects.filter(course_key=parse_course_key(course_key))[:limit])
    for item in found:
        _fail_if_dead(item)
    return found


def _fail_if_dead(item: Job) -> bool:
    """Mark a queued or running job failed when it has written no progress for the stale period.

    Returns True when it did (``item`` then shows the new state). A compare-and-set
    on the last heartbeat, so a job that just wrote progress is never marked.
    """
    if item.state not in (Job.QUEUED, Job.RUNNING):
        return False
    stale_after = conf.get().JOB_STALE_AFTER
    now = timezone.now()
    if (item.heartbeat_at or item.created_at) > now - timedelta(seconds=stale_after):
        return False
    minutes = max(1, round(stale_after / 60))
    if item.state == Job.RUNNING:
        error = (f"The worker running this job stopped: no progress for over {minutes} minute"
                 f"{'s' if minutes != 1 else ''} after {item.done} done. Start it again; it continues "
                 "where this one stopped, without duplicates.")
    else:
        error = (f"No worker started this job within {minutes} minute{'s' if minutes != 1 else ''}; "
                 "check that the Celery workers are running, then start it again.")
    marked = Job.objects.filter(pk=item.pk, state=item.state, heartbeat_at=item.heartbeat_at).update(
        state=Job.FAILED, error=error, finished_at=now)
    if not marked:
        item.refresh_from_db()  # it wrote progress meanwhile: alive
        return False
    log.warning("cert_plugin: job %s (%s of %s) taken for dead: %s", item.pk, item.kind, item.course_key,
                error)
    item.state, item.error, item.finished_at = Job.FAILED, error, now
    return True


class _JobAbandoned(Exception):
    """The job was taken for dead (and maybe restarted) while this worker still ran it."""


def run_job(job_id: int) -> Job | None:
    """Run a queued job, recording progress as it goes (the Celery task calls this).

    Also safe when the task is delivered again (a killed worker's late-acked
    task): the job starts over, which its idempotence makes harmless. A job
    taken for dead and replaced by a newer one of the same kind is not run.
    """
    current = Job.objects.filter(pk=job_id).first()
    if current is None or current.state == Job.DONE or _superseded(current):
        return current
    Job.objects.filter(pk=job_id).update(state=Job.RUNNING, done=0, failed=0, error="", finished_at=None,
                                         heartbeat_at=timezone.now())
    last_write = [0.0]

    def progress(done: int, failed: int = 0, total: int | None = None) -> None:
        now = time.monotonic()
        if now - last_write[0] >= 0.5 or (total is not None and done >= total):
            fields: dict[str, Any] = {"done": done, "failed": failed, "heartbeat_at": timezone.now()}
            if total is not None:
                fields["total"] = total
            if not Job.objects.filter(pk=job_id, state=Job.RUNNING).update(**fields):
                raise _JobAbandoned
            last_write[0] = now

    try:
        if current.kind == Job.BACKFILL:
            total = enrolled_count(current.course_key)
            Job.objects.filter(pk=job_id).update(total=total)
            report = backfill(current.course_key, on_progress=lambda n: progress(n, total=total))
            result = report.as_dict()
            done, failed = report.learners, report.failed
        else:
            result = reissue_all(current.course_key, by=current.started_by, on_progress=progress)
            done, failed = result["reissued"] + result["unchanged"] + result["failed"], result["failed"]
    except _JobAbandoned:
        log.warning("cert_plugin: job %s stopped: it was taken for dead while running", job_id)
        return Job.objects.get(pk=job_id)
    except Exception as exc:  # recorded for staff; the task's retry policy decides what next
        Job.objects.filter(pk=job_id).update(state=Job.FAILED, error=str(exc)[:2000],
                                             finished_at=timezone.now())
        raise
    Job.objects.filter(pk=job_id).update(state=Job.DONE, done=done, failed=failed, result=result,
                                         finished_at=timezone.now(), heartbeat_at=timezone.now())
    return Job.objects.get(pk=job_id)


def _superseded(item: Job) -> bool:
    """A failed job that a newer one of the same kind and course replaced (its delivery came late)."""
    return item.state == Job.FAILED and Job.objects.filter(
        kind=item.kind, course_key=item.course_key, pk__gt=item.pk).exists()


def reissue_all(course_key: CourseKey | str, *, by: Any = None,
                on_progress: Callable[..., None] | None = None) -> dict[str, int]:
    """Reissue every current certificate of the course whose template version or name is outdated.

    Each keeps its code; certificates already on the current template with the
    current name are left alone (safe to run again after an interruption).
    """
    key = parse_course_key(course_key)
    host = get_host()
    current = issuing_version(get_config(key))
    targets = Certificate.objects.filter(course_key=key, active=True, state=Certificate.ISSUED)
    total = targets.count()
    counts = {"certificates": total, "reissued": 0, "unchanged": 0, "failed": 0}
    for certificate in targets.select_related("user").order_by("pk").iterator(chunk_size=500):
        try:
            name = clean_name(host.learner(certificate.user).full_name)  # as reissue stores it
            if certificate.template_version_id == current.pk and certificate.learner_name == name:
                counts["unchanged"] += 1
            else:
                reissue(certificate, by=by, reason="Reissue all with the current template")
                counts["reissued"] += 1
        except CertPluginError as exc:  # revoked since this chunk was loaded: it stays as it is
            counts["unchanged"] += 1
            log.info("cert_plugin: reissue all left %s alone: %s", certificate.verification_code, exc)
        except Exception:  # one certificate's problem must not stop the course's reissue
            counts["failed"] += 1
            log.exception("cert_plugin: reissue of %s failed", certificate.verification_code)
        if on_progress is not None:
            on_progress(counts["reissued"] + counts["unchanged"] + counts["failed"], counts["failed"], total)
    return counts
