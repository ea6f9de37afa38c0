"""Cost of a grade or completion event: ``python -m benchmarks.events [--db sqlite|mysql|postgres]``.

What it measures (issue 6, benchmark 4), in a database already holding 100,000 certificates (the
fill of :mod:`benchmarks.verify_scale`, plus each holder's completions, quiz scores and grade):

1. **The receiver**, i.e. what the LMS's request pays when it fires the event:
   ``PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(...)``, ``COURSE_PASSING_STATUS_UPDATED.send_event(...)``
   and the ``post_save`` edx-completion sends for a ``BlockCompletion`` (fired as
   ``tests/performance/test_query_counts.py`` fires them), for a learner still in progress in a
   course that offers a certificate. Each is timed inside a transaction that is then rolled
   back, as in a request: the receiver schedules the evaluation with ``transaction.on_commit`` and
   the rollback drops it, so only the receiver is timed. Two figures per event: the whole dispatch
   as the LMS fires it (openedx-events' validation and metadata, every connected receiver), with
   the same dispatch with our receiver disconnected as its baseline; and our receiver function
   called on its own. The queries each dispatch runs, the evaluations it scheduled and the PDF
   renders it started (a spy on ``rendering.pdf.render_pdf``) are counted: target ≤ 2 ms,
   ≤ 3 queries, nothing rendered inline.
2. **The evaluation it schedules**, i.e. what a worker spends per event: the task body
   ``cert_plugin.tasks.evaluate_learner(user_id, course_key)`` in autocommit, as a worker runs it,
   for three kinds of learner: still in progress (most events), already holding a certificate,
   and newly eligible (the evaluation issues the certificate: signature, insert, audit event).
   The tasks that evaluation queues in its turn (the PDF/PNG render, the announcement) are
   recorded, not run: their cost is measured by ``python -m benchmarks`` and
   ``python -m benchmarks.memory``. No target: reported so that the receiver's figure is honest.

Writes ``benchmarks/results-events.md`` (or ``--output``) and prints it. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/events.py`: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import HERE, Timing, _load, _progress, machine, write_report
from benchmarks.verify_scale import ENGINE_NAMES, ENGINES, Filler, bench_database, server_version

RESULTS = HERE / "results-events.md"
TARGET_RECEIVER = 0.002  # seconds
RECEIVER_BUDGET = 3  # queries
TIMES = "\N{MULTIPLICATION SIGN}"


def _p50_p90(timing: Timing) -> str:
    def ms(value: float) -> str:
        value *= 1000
        return f"{value:.{3 if value < 1 else 2 if value < 10 else 1}f}"

    return f"p50 {ms(timing.median)} ms, p90 {ms(timing.p90)} ms"


# --------------------------------------------------------------------------------------- learners


class BenchCourse:
    """A benchmark course of the fill, and learners made for the measurements (no signals fire)."""

    def __init__(self, course: Any) -> None:
        self.course = course
        self.blocks = list(course.blocks.order_by("position"))
        self.lessons = [block for block in self.blocks if block.kind == "lesson"]
        self.quizzes = [block for block in self.blocks if block.kind == "quiz"]
        self._made = 0

    def learners(self, count: int, *, eligible: bool) -> list[Any]:
        """``count`` enrolled learners: one lesson done (in progress) or everything done (eligible)."""
        from completion.models import BlockCompletion
        from django.contrib.auth import get_user_model
        from django.db import transaction

        from devhost.lms.models import Enrollment, PersistentCourseGrade, Profile, QuizSubmission

        user_model = get_user_model()
        prefix = f"ev{self.course.pk}{'e' if eligible else 'p'}{self._made}x"
        self._made += 1
        with transaction.atomic():
            user_model.objects.bulk_create([
                user_model(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org") for i in range(count)])
            users = list(user_model.objects.filter(username__startswith=prefix).order_by("pk"))
            Profile.objects.bulk_create([Profile(user=user, full_name="Oluwaseun Adeyemi") for user in users])
            Enrollment.objects.bulk_create([Enrollment(user=user, course=self.course) for user in users])
            lessons = self.lessons if eligible else self.lessons[:1]
            BlockCompletion.objects.bulk_create([
                BlockCompletion(user=user, context_key=self.course.course_key, block_key=lesson.usage_key,
                                block_type="html", completion=1.0) for user in users for lesson in lessons])
            if eligible:
                QuizSubmission.objects.bulk_create([
                    QuizSubmission(user=user, block=quiz, score=0.9, answers=[])
                    for user in users for quiz in self.quizzes])
                PersistentCourseGrade.objects.bulk_create([
                    PersistentCourseGrade(user=user, course=self.course, percent_grade=0.9,
                                          letter_grade="Pass") for user in users])
        return users


# --------------------------------------------------------------------------------------- events


def _course_data(course: Any) -> Any:
    from openedx_events.learning.data import CourseData

    return CourseData(course_key=course.course_key, display_name=course.title)


def _grade_data(course: Any, learner: Any) -> Any:
    from openedx_events.learning.data import PersistentCourseGradeData

    return PersistentCourseGradeData(
        user_id=learner.id, course=_course_data(course), course_edited_timestamp=course.modified,
        course_version="", grading_policy_hash="", percent_grade=0.3, letter_grade="", passed_timestamp=None)


def _passing_data(course: Any, learner: Any) -> Any:
    from openedx_events.learning.data import CoursePassingStatusData, UserData, UserPersonalData

    return CoursePassingStatusData(
        is_passing=False, course=_course_data(course),
        user=UserData(id=learner.id, is_active=True,
                      pii=UserPersonalData(username=learner.username, email=learner.email, name="")))


def _completion(course: Any, learner: Any, lesson: Any) -> Any:
    from completion.models import BlockCompletion

    return BlockCompletion(user=learner, context_key=course.course_key, block_key=lesson.usage_key,
                           block_type="html", completion=1.0)


class Event:
    """One kind of event: how the LMS fires it, and how our receiver is called alone."""

    def __init__(self, label: str, spec_uid: str, fire: Callable[[Any], Any],
                 alone: Callable[[Any], Any]) -> None:
        self.label = label
        self.spec_uid = spec_uid  # our receiver's dispatch_uid (cert_plugin.apps._RECEIVERS)
        self.fire = fire
        self.alone = alone

    @contextlib.contextmanager
    def disconnected(self) -> Iterator[None]:
        """Our receiver disconnected (for the baseline), connected again afterwards."""
        from django.utils.module_loading import import_string

        from cert_plugin import receivers
        from cert_plugin.apps import _RECEIVERS

        [spec] = [spec for spec in _RECEIVERS if spec["dispatch_uid"] == self.spec_uid]
        signal = import_string(spec["signal_path"])
        sender = import_string(spec["sender_path"]) if spec.get("sender_path") else None
        signal.disconnect(sender=sender, dispatch_uid=spec["dispatch_uid"])
        try:
            yield
        finally:
            receivers.connect_all([spec])


def _events(course: BenchCourse) -> list[Event]:
    from django.db.models.signals import post_save
    from openedx_events.learning.signals import (
        COURSE_PASSING_STATUS_UPDATED,
        PERSISTENT_GRADE_SUMMARY_CHANGED,
    )

    from cert_plugin import receivers

    c = course.course
    lesson = course.lessons[-1]

    def checked(responses: list[tuple[Any, Any]]) -> None:
        for receiver, response in responses:  # send_event is robust: a failing receiver only logs
            if isinstance(response, Exception):
                raise RuntimeError(f"receiver {receiver} failed: {response!r}")

    def completion_sender(learner: Any) -> None:
        from completion.models import BlockCompletion

        instance = _completion(c, learner, lesson)
        checked(post_save.send(sender=BlockCompletion, instance=instance, created=True))

    return [
        Event("PERSISTENT_GRADE_SUMMARY_CHANGED", "cert_plugin.receivers.persistent_grade_summary_changed",
              lambda learner: checked(PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(
                  grade=_grade_data(c, learner))),
              lambda learner: receivers.on_persistent_grade_summary_changed(grade=_grade_data(c, learner))),
        Event("COURSE_PASSING_STATUS_UPDATED", "cert_plugin.receivers.course_passing_status_updated",
              lambda learner: checked(COURSE_PASSING_STATUS_UPDATED.send_event(
                  course_passing_status=_passing_data(c, learner))),
              lambda learner: receivers.on_course_passing_status_updated(
                  course_passing_status=_passing_data(c, learner))),
        Event("BlockCompletion post_save", "cert_plugin.receivers.block_completion_saved",
              completion_sender,
              lambda learner: receivers.on_block_completion_saved(instance=_completion(c, learner, lesson),
                                                                  created=True)),
    ]


class RenderSpy:
    """Counts PDF renders started (the real renderer still runs if called)."""

    def __init__(self) -> None:
        from cert_plugin.rendering import pdf

        self.calls = 0
        self._module = pdf
        self._real = pdf.render_pdf

        def spy(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return self._real(*args, **kwargs)

        pdf.render_pdf = spy  # type: ignore[assignment]

    def close(self) -> None:
        self._module.render_pdf = self._real  # type: ignore[assignment]


def _in_rolled_back_transaction(fn: Callable[[], Any], *,
                                captured: list[str] | None = None) -> tuple[float, int]:
    """Time ``fn`` inside a transaction that is then rolled back; also the commit hooks it added.

    With ``captured``, the SQL ``fn`` ran is appended to it (not the transaction's own BEGIN and
    ROLLBACK, which the LMS request pays anyway).
    """
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        hooks = len(connection.run_on_commit)
        capture = CaptureQueriesContext(connection) if captured is not None else contextlib.nullcontext()
        with capture as queries:
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
        scheduled = len(connection.run_on_commit) - hooks
        transaction.set_rollback(True)
    if captured is not None and queries is not None:
        captured += [query["sql"] for query in queries.captured_queries]
    return elapsed, scheduled


def time_receivers(events: list[Event], learners: list[Any], rounds: int,
                   batch: int) -> dict[str, dict[str, Any]]:
    """Each event's dispatch (ours connected and disconnected) and our receiver alone, interleaved."""
    results: dict[str, dict[str, Any]] = {}
    spy = RenderSpy()
    try:
        learner_at = iter(range(10**9))

        def next_learner() -> Any:
            return learners[next(learner_at) % len(learners)]

        operations: list[tuple[str, str, Callable[[], tuple[float, int]]]] = []
        for event in events:
            operations.append((event.label, "dispatch", lambda e=event: _in_rolled_back_transaction(
                lambda: e.fire(next_learner()))))
            operations.append((event.label, "alone", lambda e=event: _in_rolled_back_transaction(
                lambda: e.alone(next_learner()))))
            operations.append((event.label, "baseline", lambda e=event: _disconnected(e, next_learner())))
        samples: dict[tuple[str, str], list[float]] = {(label, what): [] for label, what, _ in operations}
        scheduled: dict[tuple[str, str], set[int]] = {(label, what): set() for label, what, _ in operations}
        for _label, _what, operation in operations:  # warm-up
            for _ in range(3):
                operation()
        for i in range(rounds):
            gc.collect()
            for j in range(len(operations)):
                label, what, operation = operations[(i + j) % len(operations)]
                for _ in range(batch):
                    elapsed, hooks = operation()
                    samples[(label, what)].append(elapsed)
                    scheduled[(label, what)].add(hooks)
        for event in events:
            captured: list[str] = []
            _in_rolled_back_transaction(lambda e=event: e.fire(next_learner()), captured=captured)
            results[event.label] = {
                "dispatch": Timing(samples[(event.label, "dispatch")]),
                "alone": Timing(samples[(event.label, "alone")]),
                "baseline": Timing(samples[(event.label, "baseline")]),
                "scheduled": sorted(scheduled[(event.label, "dispatch")]),
                "baseline_scheduled": sorted(scheduled[(event.label, "baseline")]),
                "queries": len(captured),
                "sql": captured,
            }
        results["_renders"] = {"calls": spy.calls}
    finally:
        spy.close()
    return results


def _disconnected(event: Event, learner: Any) -> tuple[float, int]:
    with event.disconnected():
        return _in_rolled_back_transaction(lambda: event.fire(learner))


# --------------------------------------------------------------------------------------- evaluation


@contextlib.contextmanager
def _recording_follow_ups() -> Iterator[dict[str, int]]:
    """Tasks queued by the evaluation are counted, not run (a worker would pick them up later)."""
    from cert_plugin import jobs

    queued: dict[str, int] = {}
    real = jobs.enqueue

    def record(task_name: str, *args: Any, **kwargs: Any) -> None:
        queued[task_name.rsplit(".", 1)[-1]] = queued.get(task_name.rsplit(".", 1)[-1], 0) + 1

    jobs.enqueue = record  # type: ignore[assignment]
    try:
        yield queued
    finally:
        jobs.enqueue = real  # type: ignore[assignment]


def time_evaluations(course: BenchCourse, holders: list[Any], rounds: int,
                     batch: int) -> dict[str, dict[str, Any]]:
    """``tasks.evaluate_learner`` for learners in progress, holding a certificate, newly eligible."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cert_plugin import api
    from cert_plugin.tasks import evaluate_learner

    key = str(course.course.course_key)
    in_progress = course.learners(8, eligible=False)
    eligible = course.learners(rounds * batch + 4, eligible=True)
    fresh = iter(eligible)
    at = iter(range(10**9))
    kinds: dict[str, Callable[[], Any]] = {
        "learner in progress (no certificate yet)": lambda: evaluate_learner(
            in_progress[next(at) % len(in_progress)].pk, key),
        "learner already holding a certificate": lambda: evaluate_learner(
            holders[next(at) % len(holders)].pk, key),
        "newly eligible learner (issues the certificate)": lambda: _issued(
            evaluate_learner(next(fresh).pk, key)),
    }
    results: dict[str, dict[str, Any]] = {}
    with _recording_follow_ups() as queued:
        for label, fn in kinds.items():  # query counts and follow-ups of one run each (also a warm-up)
            queued.clear()
            with CaptureQueriesContext(connection) as captured:
                fn()
            results[label] = {"queries": len(captured), "follow_ups": dict(queued)}
            fn()
        samples: dict[str, list[float]] = {label: [] for label in kinds}
        labels = list(kinds)
        for i in range(rounds):
            gc.collect()
            for j in range(len(labels)):
                label = labels[(i + j) % len(labels)]
                for _ in range(batch):
                    start = time.perf_counter()
                    kinds[label]()
                    samples[label].append(time.perf_counter() - start)
    for label in kinds:
        results[label]["timing"] = Timing(samples[label])
    issued = api.active_certificate(eligible[0], key)
    if issued is None or api.verify(issued.verification_code).signature_valid is not True:
        raise RuntimeError("the evaluation did not issue a certificate that verifies")
    return results


def _holders(course: Any) -> list[Any]:
    """Learners of the course whose certificate is active and valid."""
    from django.contrib.auth import get_user_model

    from cert_plugin.models import Certificate

    ids = Certificate.objects.filter(course_key=course.course_key, active=True, state=Certificate.ISSUED,
                                     expires_at__isnull=True).values_list("user_id", flat=True)[:50]
    return list(get_user_model().objects.filter(pk__in=list(ids)))


def _issued(code: str | None) -> None:
    if code is None:
        raise RuntimeError("an eligible learner's evaluation issued nothing")


# --------------------------------------------------------------------------------------- report


def markdown(engine: str, version: str, fill: Any, receivers: dict[str, dict[str, Any]],
             evaluations: dict[str, dict[str, Any]], info: list[tuple[str, str]], elapsed: float,
             rounds: int) -> str:
    name = ENGINE_NAMES[engine]
    intro = (f"On {name} ({version}) holding {fill.certificates:,} certificates ({fill.courses} courses, "
             f"{fill.learners:,} learners with their completions, quiz scores and grades). "
             "Targets are reported, never asserted; see `benchmarks/README.md`.")
    lines = ["# Cost of a grade or completion event (`python -m benchmarks.events`)", "", intro, ""]
    lines += [f"- **{key}**: {value}" for key, value in info]
    lines += [f"- **Run**: {elapsed:.0f} s, {rounds} rounds; load average at the end {_load()}", ""]
    lines += ["## The receiver (what the LMS request pays)", "",
              "| Event | Measurement | Figure | Baseline | Target | Met |", "|---|---|---|---|---|---|"]
    missed = []
    renders = receivers.pop("_renders")["calls"]
    for label, result in receivers.items():
        dispatch, alone, baseline = result["dispatch"], result["alone"], result["baseline"]
        added = dispatch.median - baseline.median
        met = dispatch.median <= TARGET_RECEIVER
        target = f"p50 ≤ {TARGET_RECEIVER * 1000:g} ms"
        lines.append(f"| {label} | Dispatch as the LMS fires it | {_p50_p90(dispatch)} "
                     f"(ours adds {added * 1000:.3f} ms) | {_p50_p90(baseline)}<br>the same dispatch, our "
                     f"receiver disconnected | {target} | {'yes' if met else '**NO**'} |")
        lines.append(f"| {label} | Our receiver alone | {_p50_p90(alone)} | — | {target} "
                     f"| {'yes' if alone.median <= TARGET_RECEIVER else '**NO**'} |")
        queries_met = result["queries"] <= RECEIVER_BUDGET
        lines.append(f"| {label} | Queries per dispatch | {result['queries']} | — | ≤ {RECEIVER_BUDGET} "
                     f"| {'yes' if queries_met else '**NO**'} |")
        scheduled = "/".join(str(n) for n in result["scheduled"])
        lines.append(f"| {label} | Evaluations scheduled per dispatch (on commit) | {scheduled} "
                     f"| {'/'.join(str(n) for n in result['baseline_scheduled'])} (disconnected) "
                     f"| 1, not run inline | {'yes' if result['scheduled'] == [1] else '**NO**'} |")
        if not met:
            missed.append(f"{label} dispatch")
        if not queries_met:
            missed.append(f"{label} queries")
    lines.append(f"| all | PDF renders started by the receivers during the run | {renders} | — | 0 "
                 f"| {'yes' if renders == 0 else '**NO**'} |")
    if renders:
        missed.append("renders inline")
    lines += ["", "## The evaluation it schedules (what a worker spends per event)", "",
              "| Learner | Measurement | Figure | Baseline | Target | Met |", "|---|---|---|---|---|---|"]
    for label, result in evaluations.items():
        follow = ", ".join(f"`{task}` {TIMES}{n}" for task, n in result["follow_ups"].items()) or "none"
        lines.append(f"| {label} | `tasks.evaluate_learner` | {_p50_p90(result['timing'])} | — | — | — |")
        lines.append(f"| {label} | Queries; tasks it queues (not run here) | {result['queries']}; {follow} "
                     "| — | — | — |")
    lines += ["", "## Notes", ""]
    for label, result in receivers.items():
        tables = ", ".join(_table(sql) for sql in result["sql"]) or "none"
        lines.append(f"- {label}: the dispatch's queries read {tables}.")
    lines.append("- A quiz submission in the LMS fires both openedx-events in one transaction, and our "
                 "receivers schedule one evaluation for both (deduplicated per transaction); a completed "
                 "lesson fires one post_save. So a worker spends one evaluation per learner action.")
    lines.append("- Receivers are timed in a rolled-back transaction (as inside an LMS request); "
                 "evaluations in autocommit, as a worker runs them, commit included.")
    lines += ["", "Targets missed: " + (", ".join(missed) if missed else "none"), ""]
    return "\n".join(lines)


def _table(sql: str) -> str:
    import re

    match = re.search(r'\bFROM\s+[`"]?(\w+)', sql)
    return match.group(1) if match else sql.split(None, 1)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.events", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=ENGINES, default="sqlite", help="database engine (default sqlite)")
    parser.add_argument("--certificates", type=int, default=100_000, help="certificates in the database")
    parser.add_argument("--quick", action="store_true", help="10,000 certificates, few runs: a smoke test")
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds (default 30)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file to write")
    args = parser.parse_args(argv)
    certificates = min(args.certificates, 10_000) if args.quick else args.certificates
    rounds = 5 if args.quick else max(3, args.rounds)
    started = time.perf_counter()
    with bench_database(args.db) as description:
        _progress(f"{ENGINE_NAMES[args.db]}: {description}")
        info = machine()
        version = server_version()
        filler = Filler(certificates)
        filler.prepare(host_data=True)
        fill = filler.certificates_up_to(certificates)
        _progress(f"  filled {fill.certificates:,} certificates with host data in {fill.seconds:.1f} s")
        course = BenchCourse(filler.courses[1])  # a course without expiry, configured for certificates
        holders = _holders(course.course)
        learners = course.learners(50, eligible=False)
        _progress(f"  receivers ({rounds} rounds)")
        receivers = time_receivers(_events(course), learners, rounds, batch=10)
        _progress(f"  evaluations ({rounds} rounds)")
        evaluations = time_evaluations(course, holders, rounds, batch=3)
        elapsed = time.perf_counter() - started
        text = markdown(args.db, version, fill, receivers, evaluations, info, elapsed, rounds)
    return write_report(args.output, text)


if __name__ == "__main__":
    raise SystemExit(main())
