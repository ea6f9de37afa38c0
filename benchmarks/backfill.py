"""Backfill at scale: ``api.backfill`` of a demo-LMS course with 10,000 enrolled learners.

``python -m benchmarks.backfill [--learners 10000] [--quick] [--db sqlite|mysql|postgres]``

Builds a course of the demo LMS (5 lessons, 2 quizzes) on a fresh database (SQLite in a temporary
directory by default; ``--db`` creates and drops a database of its own on the local MariaDB or
PostgreSQL server) with a realistic mix of learners, bulk-inserted the way the host's own tables
hold them: 30% qualify (every lesson completed, quizzes passed), 10% already hold a certificate,
45% are in progress (some lessons, a failed quiz) and 15% have not started.

Then it times one ``api.backfill`` of the course end to end, with issuing enabled and the follow-up
tasks (PDF/PNG render, announcement) sent to a real Celery broker (Redis database 11, emptied
before and after) that no worker consumes, as in production, where rendering happens on the
workers. SQL statements are counted over the whole run with a ``connection.execute_wrapper``.

Issue 6's targets: ≤ 60 s for 10,000 learners and ≤ 5 queries per learner. Figures are reported,
never asserted. The report is printed and written to ``benchmarks/results-backfill.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/backfill.py`: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import HERE, _load, _progress, machine, setup_django, write_report

RESULTS = HERE / "results-backfill.md"
BROKER = "redis://127.0.0.1:6379/11"  # this benchmark's own Redis database
COURSE_KEY = "course-v1:Northwind+BACKFILL+2026"
DB_NAME = "cert_bench_backfill"
LESSONS, QUIZZES = 5, 2
TIME_TARGET = 60.0  # seconds for 10,000 learners
QUERY_TARGET = 5.0  # per learner
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+[`"]?(\w+)[`"]?', re.IGNORECASE)


@dataclass
class Mix:
    """How many learners of each kind the course has."""

    qualifying: int
    holding: int
    in_progress: int
    not_started: int

    @classmethod
    def of(cls, learners: int) -> Mix:
        qualifying, holding = round(learners * 0.30), round(learners * 0.10)
        in_progress = round(learners * 0.45)
        return cls(qualifying, holding, in_progress, learners - qualifying - holding - in_progress)


@dataclass
class QueryCounter:
    """Counts every SQL statement the connection runs, by the first table it names."""

    total: int = 0
    tables: Counter[str] = field(default_factory=Counter)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.total += 1
        match = _TABLE.search(sql)
        self.tables[match.group(1) if match else sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)


# --------------------------------------------------------------------------------------- database


@contextlib.contextmanager
def server_database(kind: str) -> Iterator[str]:
    """A fresh database on the local MariaDB or PostgreSQL server, dropped afterwards."""
    if kind == "postgres":
        import psycopg

        def run(statement: str) -> None:
            with psycopg.connect(dbname="postgres", host="127.0.0.1", port=5432, user="postgres",
                                 autocommit=True) as connection:
                connection.execute(statement)

        drop, create = f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', f'CREATE DATABASE "{DB_NAME}"'
    else:
        import MySQLdb

        def run(statement: str) -> None:
            connection = MySQLdb.connect(host="127.0.0.1", port=3306, user="root", passwd="")
            try:
                connection.cursor().execute(statement)
            finally:
                connection.close()

        drop = f"DROP DATABASE IF EXISTS `{DB_NAME}`"
        create = f"CREATE DATABASE `{DB_NAME}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    run(drop)
    run(create)
    try:
        yield DB_NAME
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        run(drop)


def use_broker(url: str) -> None:
    """Send the plugin's tasks to ``url`` (run.setup_django configures in-process tasks)."""
    from django.conf import settings

    from devhost.celery import app

    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = url
    app.conf.task_always_eager = False


def purge(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def queued_tasks(url: str) -> Counter[str]:
    """The task messages waiting in the broker's default queue, by task name."""
    import redis

    client = redis.Redis.from_url(url)
    names: Counter[str] = Counter()
    for raw in client.lrange("celery", 0, -1):
        try:
            names[json.loads(raw)["headers"]["task"]] += 1
        except (ValueError, KeyError, TypeError):
            names["(unreadable)"] += 1
    return names


# --------------------------------------------------------------------------------------- data


def build_course(mix: Mix) -> Any:
    """The course and its learners, bulk-inserted into the host's tables (no signals fire)."""
    from completion.models import BlockCompletion
    from django.contrib.auth import get_user_model

    from cert_plugin import api
    from devhost.lms.models import Block, Course, Enrollment, Profile, QuizSubmission

    course = Course.objects.create(course_key=COURSE_KEY, title="Python for Data Analysis", org="Northwind",
                                   passing_grade=0.6, hours=Decimal("12"))
    usage = "block-v1:Northwind+BACKFILL+2026+type@{}+block@{}"
    questions = [{"q": f"Question {j}", "choices": ["right", "wrong"], "answer": 0} for j in range(20)]
    lessons = [Block.objects.create(course=course, kind="lesson", position=i, title=f"Lesson {i}",
                                    usage_key=usage.format("html", f"lesson{i}"))
               for i in range(1, LESSONS + 1)]
    quizzes = [Block.objects.create(course=course, kind="quiz", position=100 + i, title=f"Quiz {i}",
                                    usage_key=usage.format("problem", f"quiz{i}"), questions=questions)
               for i in range(1, QUIZZES + 1)]
    api.configure_course(COURSE_KEY, backfill=False)

    total = mix.qualifying + mix.holding + mix.in_progress + mix.not_started
    user_model = get_user_model()
    names = [f"bf{i:06d}" for i in range(total)]
    for start in range(0, total, 2000):
        user_model.objects.bulk_create([user_model(username=name, email=f"{name}@example.org", password="!")
                                        for name in names[start:start + 2000]])
    users = list(user_model.objects.filter(username__startswith="bf").order_by("pk"))
    Profile.objects.bulk_create([Profile(user=u, full_name=f"Learner {u.username[2:]} García López")
                                 for u in users], batch_size=2000)
    Enrollment.objects.bulk_create([Enrollment(user=u, course=course) for u in users], batch_size=2000)

    done = users[:mix.qualifying + mix.holding]  # finished: every lesson, quizzes at 90%
    started = users[len(done):len(done) + mix.in_progress]  # 2 of 5 lessons, one quiz at 40%
    completions, submissions = [], []
    for user in done:
        completions += [(user, lesson) for lesson in lessons]
        submissions += [QuizSubmission(user=user, block=quiz, score=0.9, answers=[]) for quiz in quizzes]
    for user in started:
        completions += [(user, lesson) for lesson in lessons[:2]]
        submissions.append(QuizSubmission(user=user, block=quizzes[0], score=0.4, answers=[]))
    BlockCompletion.objects.bulk_create(
        [BlockCompletion(user=user, context_key=course.course_key, block_key=block.usage_key,
                         block_type=block.usage_key.block_type, completion=1.0)
         for user, block in completions],
        batch_size=2000)
    QuizSubmission.objects.bulk_create(submissions, batch_size=2000)
    holders = users[mix.qualifying:mix.qualifying + mix.holding]
    _progress(f"    issuing {len(holders):,} certificates before the backfill (api.issue) ...")
    for user in holders:
        api.issue(user, COURSE_KEY, reason="Issued before the backfill (benchmark set-up)")
    return course


# --------------------------------------------------------------------------------------- run


@dataclass
class Result:
    learners: int
    seconds: float
    queries: QueryCounter
    report: dict[str, Any]
    tasks: Counter[str]
    mix: Mix
    db: str
    setup_seconds: float
    broker: str


def run_backfill(mix: Mix, broker: str) -> tuple[float, QueryCounter, dict[str, Any], Counter[str]]:
    from django.db import connection

    from cert_plugin import api

    purge(broker)  # only what the backfill sends is counted
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        report = api.backfill(COURSE_KEY)
        seconds = time.perf_counter() - started
    tasks = queued_tasks(broker)
    return seconds, counter, report.as_dict(), tasks


def markdown(result: Result) -> str:
    learners = result.learners
    per_learner_queries = result.queries.total / learners
    scaled = result.seconds * 10_000 / learners
    issued = result.report["issued"]
    renders = result.tasks.get("cert_plugin.tasks.render_certificate", 0)
    mix = result.mix
    intro = ("Written by `python -m benchmarks.backfill`. One `api.backfill` of a demo-LMS course, timed end "
             "to end in this process, with issuing enabled; the render and announcement tasks go to a real "
             f"Celery broker (Redis, `{result.broker}`) that no worker consumes (production renders on the "
             "workers). SQL statements are counted over the whole run. Figures are reported, never asserted.")
    lines = ["# Backfill at scale", "", intro, ""]
    lines += [f"- **{key}**: {value}" for key, value in machine()
              if key in ("Date", "Machine", "OS", "Python")]
    population = (f"- **Learners**: {learners:,} enrolled: {mix.qualifying:,} qualifying, {mix.holding:,} "
                  f"already holding a certificate, {mix.in_progress:,} in progress, {mix.not_started:,} not "
                  f"started (course of {LESSONS} lessons and {QUIZZES} quizzes; set-up "
                  f"{result.setup_seconds:.0f} s)")
    scaled_note = f" ({scaled:.1f} s scaled to 10,000)" if learners != 10_000 else ""
    lines += [
        f"- **Database**: {result.db}",
        population,
        "",
        "| Measurement | Figure | Target | Met |",
        "|---|---|---|---|",
        (f"| Backfill, end to end | {result.seconds:.1f} s{scaled_note} | ≤ {TIME_TARGET:g} s for 10,000 "
         f"| {_met(scaled <= TIME_TARGET)} |"),
        (f"| Per learner | {result.seconds * 1000 / learners:.2f} ms | ≤ {TIME_TARGET * 1000 / 10_000:g} ms "
         f"| {_met(scaled <= TIME_TARGET)} |"),
        (f"| SQL queries per learner (whole run) | {per_learner_queries:.2f} ({result.queries.total:,} in "
         f"all) | ≤ {QUERY_TARGET:g} | {_met(per_learner_queries <= QUERY_TARGET)} |"),
        (f"| Certificates issued | {issued:,} | {mix.qualifying:,} (the qualifying learners) "
         f"| {_met(issued == mix.qualifying)} |"),
        (f"| Render tasks sent to the broker | {renders:,} | one per issued certificate "
         f"| {_met(renders == issued)} |"),
        "",
        "## Notes",
        "",
        "- Backfill report: " + ", ".join(f"{key} {value:,}" for key, value in result.report.items()
                                          if isinstance(value, int)) + ".",
        "- Tasks waiting in the broker after the run: "
        + (", ".join(f"`{name}` {count:,}" for name, count in result.tasks.most_common()) or "none") + ".",
        "- Queries by table: " + ", ".join(f"{table} {count:,}" for table, count in
                                          result.queries.tables.most_common()) + "."
        + (" `BEGIN` is counted on SQLite only, where Django opens transactions with a statement."
           if result.queries.tables.get("BEGIN") else ""),
        f"- Load average at the end: {_load()}.",
        "",
    ]
    return "\n".join(lines)


def _met(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.backfill",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000, help="enrolled learners (default 10,000)")
    parser.add_argument("--quick", action="store_true", help="1,000 learners, a smoke test")
    parser.add_argument("--db", choices=("sqlite", "mysql", "postgres"), default="sqlite",
                        help="database: a temporary SQLite file (default) or a database of its own on the "
                             "local MariaDB (127.0.0.1:3306) or PostgreSQL (127.0.0.1:5432) server")
    parser.add_argument("--broker", default=BROKER, help=f"Redis URL of the broker (default {BROKER})")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file to write")
    args = parser.parse_args(argv)
    learners = 1_000 if args.quick else args.learners
    if learners < 10:
        parser.error("--learners must be at least 10")
    mix = Mix.of(learners)

    var_dir = tempfile.mkdtemp(prefix="cert-plugin-bench-backfill-")
    try:
        with contextlib.ExitStack() as stack:
            name = None if args.db == "sqlite" else stack.enter_context(server_database(args.db))
            _progress(f"Setting up the demo LMS on {args.db} ({var_dir}) ...")
            if name is None:
                setup_django(var_dir)
            else:
                setup_django(var_dir, database=args.db, name=name)
            use_broker(args.broker)
            purge(args.broker)
            stack.callback(purge, args.broker)
            started = time.perf_counter()
            _progress(f"Building a course with {learners:,} enrolled learners ...")
            build_course(mix)
            setup_seconds = time.perf_counter() - started
            _progress("Timing api.backfill ...")
            seconds, queries, report, tasks = run_backfill(mix, args.broker)
            _progress(f"    {seconds:.1f} s, {queries.total / learners:.2f} queries per learner")
            from django.db import connection

            result = Result(learners, seconds, queries, report, tasks, mix,
                            f"{args.db} ({connection.vendor})", setup_seconds, args.broker)
            text = markdown(result)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return write_report(args.output, text)


if __name__ == "__main__":
    raise SystemExit(main())
