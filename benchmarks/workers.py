"""Rendering throughput with 1 vs 2 Celery workers: ``python -m benchmarks.workers``.

Issue 6, benchmark 5 (second half): how many certificates per second real Celery workers render
and store (signed PDF + 150-dpi PNG, ``cert_plugin.tasks.render_certificate``), with one worker
process and with two, on Redis and PostgreSQL. Target: two workers at least 1.8 times one worker.

Each layout starts its ``celery -A devhost worker`` processes, warms every pool process up (the
first render in a process pays the imports and the font configuration), then issues N
certificates through ``api.issue`` in one transaction, so that all N render tasks reach the
broker together when it commits. The clock runs from that commit until every certificate has
its stored PDF and PNG (``RenderedFile`` rows, polled every 0.1 s). Layouts:

* 1 worker process, ``--concurrency 1`` (the baseline);
* 2 worker processes, ``--concurrency 1`` each ("2 workers", the target's figure);
* 1 worker process, ``--concurrency 2`` (the same CPU budget as one prefork pool, for information).

Needs PostgreSQL on 127.0.0.1:5432 (trust auth; the database ``cert_bench_h5`` is created for the
run and dropped afterwards) and Redis on 127.0.0.1:6379 (database 10, emptied before and after).
Writes ``benchmarks/results-workers.md`` and prints it. Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import functools
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.harness import progress
from benchmarks.run import write_report

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results-workers.md"
TARGET = 1.8
QUIET_OTHERS = 0.3  # CPUs that others (PostgreSQL and Redis included) may use for a run to count as quiet
TIMES = "\N{MULTIPLICATION SIGN}"
_RENDERED = re.compile(r"INFO/([\w-]+)\] Task cert_plugin\.tasks\.render_certificate\[[^\]]+\] "
                       r"succeeded in ([\d.]+)s")


@dataclass(frozen=True)
class Layout:
    """Worker processes to start: one ``--concurrency`` value per ``celery worker`` process."""

    key: str
    label: str
    concurrency: tuple[int, ...]

    @property
    def pool_processes(self) -> int:
        return sum(self.concurrency)


LAYOUTS = (
    Layout("one", "1 worker (1 process, `--concurrency 1`)", (1,)),
    Layout("two", "2 workers (2 processes, `--concurrency 1` each)", (1, 1)),
    Layout("pool2", "1 worker, `--concurrency 2` (one prefork pool of 2)", (2,)),
)


@dataclass
class LockWaits:
    """Samples of PostgreSQL sessions of the run's database waiting for a lock (``pg_stat_activity``)."""

    samples: int = 0
    waiting: int = 0  # samples in which at least one session waited for a lock

    def sample(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'")
            (count,) = cursor.fetchone()
        self.samples += 1
        self.waiting += bool(count)

    @property
    def share(self) -> float:
        return self.waiting / self.samples if self.samples else 0.0


@dataclass
class Outcome:
    layout: Layout
    certificates: int
    elapsed: float  # seconds from the commit to the last stored file
    task_seconds: list[float] = field(default_factory=list)  # render_certificate runtimes, timed run
    per_process: dict[str, int] = field(default_factory=dict)  # renders of the timed run per process
    locks: LockWaits = field(default_factory=LockWaits)  # lock waits seen while the timed renders ran
    cpu: harness.CpuUse | None = None  # how busy the machine was meanwhile
    published: float = 0.0  # seconds from the commit until the last task was handed to the broker

    @property
    def rate(self) -> float:
        return self.certificates / self.elapsed


# --------------------------------------------------------------------------------------- workers


def _start_workers(procs: harness.Processes, layout: Layout, env: dict[str, str], logs: Path,
                   prefetch: int | None) -> list[tuple[Any, Path]]:
    started = []
    for index, concurrency in enumerate(layout.concurrency):
        log = logs / f"{layout.key}-worker{index}.log"
        command = [sys.executable, "-m", "celery", "-A", "devhost", "worker", "-P", "prefork",
                   f"--concurrency={concurrency}", f"--hostname=bench-{layout.key}-{index}@%h",
                   "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
                   f"--logfile={log}"]
        if prefetch is not None:
            command.append(f"--prefetch-multiplier={prefetch}")
        started.append((procs.start(command, env=env, log=logs / f"{layout.key}-worker{index}.out"), log))
    for child, log in started:
        harness.wait_for(functools.partial(_ready, log), what=f"worker {log.name} to start", timeout=120,
                         log=log, alive=child)
    return started


def _ready(log: Path) -> bool:
    return log.exists() and " ready." in log.read_text(errors="replace")


def _renders(logs: list[Path]) -> list[tuple[str, float]]:
    """(log:process, seconds) of every successful render_certificate the workers logged so far."""
    found = []
    for log in logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        found += [(f"{log.stem}:{name}", float(seconds)) for name, seconds in _RENDERED.findall(text)]
    return found


def _wait_rendered(ids: list[int], *, what: str, timeout: float, workers: list[tuple[Any, Path]],
                   interval: float = 0.2, locks: LockWaits | None = None) -> None:
    """Wait until each certificate has its PDF and PNG stored (polling every ``interval`` seconds)."""
    from django.db.models import Count

    from cert_plugin.models import Certificate, RenderedFile

    deadline = time.monotonic() + timeout
    wanted = {RenderedFile.PDF, RenderedFile.PNG}
    while True:
        done = (RenderedFile.objects.filter(certificate_id__in=ids, kind__in=wanted)
                .values("certificate_id").annotate(n=Count("kind")).filter(n=len(wanted)).count())
        if done == len(ids):
            return
        if locks is not None:
            locks.sample()
        for child, log in workers:
            if child.poll() is not None:
                raise RuntimeError(f"worker {log.name} exited ({child.returncode}) while waiting for {what}")
        failed = list(Certificate.objects.filter(pk__in=ids).exclude(render_error="")
                      .values_list("render_error", flat=True)[:1])
        if failed:
            raise RuntimeError(f"a render failed while waiting for {what}: {failed[0]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}: {done} of {len(ids)} rendered")
        time.sleep(interval)


def _issue_batch(course: Any, count: int, prefix: str) -> tuple[list[int], float]:
    """Issue ``count`` certificates in one transaction; returns their ids and the commit's clock time."""
    from django.db import transaction

    users = harness.make_learners(course, count, prefix=prefix)
    with transaction.atomic():
        certificates = harness.issue(users, str(course.course_key))
        committed = time.perf_counter()  # the render tasks are sent on commit, right after this
    return [certificate.pk for certificate in certificates], committed


def run_layout(procs: harness.Processes, layout: Layout, *, course: Any, env: dict[str, str], logs: Path,
               certificates: int, prefetch: int | None) -> Outcome:
    progress(f"{layout.label}: starting")
    workers = _start_workers(procs, layout, env, logs, prefetch)
    worker_logs = [log for _child, log in workers]
    try:
        # Warm-up: until every pool process has rendered at least one certificate.
        processes: set[str] = set()
        for attempt in range(8):
            ids, _ = _issue_batch(course, layout.pool_processes * 2, prefix=f"warm-{layout.key}{attempt}-")
            _wait_rendered(ids, what="the warm-up renders", timeout=300, workers=workers)
            time.sleep(0.5)  # the log line is written just after the task's last commit
            processes = {name for name, _seconds in _renders(worker_logs)}
            if len(processes) >= layout.pool_processes:
                break
        else:
            progress(f"    warm-up reached only {len(processes)} of {layout.pool_processes} pool processes")
        before = len(_renders(worker_logs))
        progress(f"    warmed up ({len(processes)} pool processes); issuing {certificates} certificates")
        ids, committed = _issue_batch(course, certificates, prefix=f"bench-{layout.key}-")
        published = time.perf_counter() - committed
        meter, locks = harness.CpuMeter(procs), LockWaits()
        _wait_rendered(ids, what=f"{certificates} renders", timeout=60 + certificates * 5, workers=workers,
                       locks=locks)
        elapsed = time.perf_counter() - committed
        cpu = meter.stop()
    finally:
        for child, _log in workers:
            procs.stop(child)
    timed = _renders(worker_logs)[before:]
    per_process: dict[str, int] = {}
    for name, _seconds in timed:
        per_process[name] = per_process.get(name, 0) + 1
    outcome = Outcome(layout, certificates, elapsed, [seconds for _name, seconds in timed], per_process,
                      locks, cpu, published)
    progress(f"    {certificates} certificates in {elapsed:.1f} s: {outcome.rate:.2f} renders/s; "
             f"render task median {_median_ms(outcome)}; per process {per_process}; "
             f"lock waits in {locks.share:.0%} of {locks.samples} samples; {cpu}")
    return outcome


# --------------------------------------------------------------------------------------- report


def _median_ms(outcome: Outcome) -> str:
    if not outcome.task_seconds:
        return "—"
    return f"{statistics.median(outcome.task_seconds) * 1000:.0f} ms"


def markdown(outcomes: list[Outcome], info: list[tuple[str, str]], elapsed: float, load_end: str,
             prefetch: int | None, conn_max_age: int | None = None) -> str:
    by_key = {outcome.layout.key: outcome for outcome in outcomes}
    base = by_key["one"]
    intro = ("Written by `python -m benchmarks.workers`. N certificates issued in one transaction "
             "(`api.issue`), so their `render_certificate` tasks reach Redis together; the clock runs "
             "from the commit until every certificate has its signed PDF and 150-dpi PNG stored. "
             "Workers are warmed up first. A render = one certificate's PDF + PNG. "
             "See `benchmarks/README.md`.")
    lines = ["# cert_plugin benchmarks: render throughput, 1 vs 2 Celery workers", "", intro, ""]
    lines += [f"- **{key}**: {value}" for key, value in info]
    multiplier = prefetch if prefetch is not None else "Celery's default (4)"
    services = "Redis 127.0.0.1:6379 db 10; PostgreSQL 127.0.0.1:5432, a database made for the run"
    connections = (f"`CONN_MAX_AGE={conn_max_age}` (persistent)" if conn_max_age
                   else "the demo's (`CONN_MAX_AGE` 0: a new connection per task)")
    lines += [f"- **Broker / database**: {services}", f"- **Prefetch multiplier**: {multiplier}",
              f"- **Database connections of the workers**: {connections}",
              f"- **Run**: {elapsed:.0f} s; load average at the end {load_end}", ""]
    lines += ["| Measurement | Figure | Baseline | Target | Met |", "|---|---|---|---|---|"]
    for outcome in outcomes:
        figure = (f"**{outcome.rate:.2f} renders/s** ({outcome.certificates} in {outcome.elapsed:.1f} s; "
                  f"task median {_median_ms(outcome)})")
        lines.append(f"| Throughput, {outcome.layout.label} | {figure} | — | — | — |")
    for key, note in (("two", ""), ("pool2", " (information)")):
        if key not in by_key:
            continue
        ratio = by_key[key].rate / base.rate
        met = ("yes" if ratio >= TARGET else "**NO**") if key == "two" else "—"
        lines.append(f"| Speed-up, {by_key[key].layout.label} vs 1 worker{note} | **{ratio:.2f}{TIMES}** | "
                     f"1{TIMES} ({base.rate:.2f} renders/s) | ≥ {TARGET:g}{TIMES} | {met} |")
    if base.cpu is not None and base.cpu.busy > 0:
        label = ("Ceiling for 2 workers on this machine (information): CPUs ÷ CPU per render in the 1-worker "
                 "run, all processes (workers, PostgreSQL, Redis, this one)")
        per_render = base.cpu.busy * base.elapsed / base.certificates  # CPU-seconds, every process
        ceiling = base.cpu.cpus / per_render
        if base.cpu.others <= QUIET_OTHERS:
            figure = (f"{base.cpu.cpus} ÷ {per_render * 1000:.0f} ms = {ceiling:.2f} renders/s = "
                      f"**{ceiling / base.rate:.2f}{TIMES}**")
        else:
            figure = (f"not computed: other processes used {base.cpu.others:.0%} of a CPU during the "
                      "1-worker run")
        lines.append(f"| {label} | {figure} | 1{TIMES} | — | — |")
    lines += ["", "## Notes", ""]
    for outcome in outcomes:
        shares = ", ".join(f"{name} {count}" for name, count in sorted(outcome.per_process.items()))
        lines.append(f"- {outcome.layout.label}: renders per pool process {shares or '—'}; the issuing "
                     f"process had sent every task {outcome.published:.1f} s after the commit; a database "
                     f"session was waiting for a lock in {outcome.locks.share:.0%} of "
                     f"{outcome.locks.samples} samples (`pg_stat_activity.wait_event_type = 'Lock'`, "
                     f"every 0.2 s); CPU while timed: {outcome.cpu}.")
    waiting = [o.layout.label for o in outcomes if o.layout.pool_processes > 1 and o.locks.share > 0.2]
    if waiting:
        lines.append(f"- **Renders wait for each other** ({'; '.join(waiting)}): a session waited for a lock "
                     "in more than 20% of the samples, so the pool processes take turns instead of "
                     "rendering side by side (see the row-lock finding in `benchmarks/README.md`).")
    busy = [o.layout.label for o in outcomes if o.cpu is not None and o.cpu.others > QUIET_OTHERS]
    if busy:
        lines.append(f"- **Busy machine** ({'; '.join(busy)}): other processes used more than 30% of a CPU "
                     "while timed (this includes PostgreSQL and Redis serving the workers). Two workers "
                     "need both CPUs: rerun on a quiet machine before trusting the speed-up.")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers", description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=200, help="certificates per layout (default 200)")
    parser.add_argument("--quick", action="store_true", help="20 certificates per layout: a smoke test")
    parser.add_argument("--layouts", default="one,two,pool2",
                        help="one, two, pool2, comma-separated (default: all; 'one' always runs)")
    parser.add_argument("--prefetch-multiplier", type=int, default=None,
                        help="pass --prefetch-multiplier to the workers (default: Celery's)")
    parser.add_argument("--conn-max-age", type=int, default=None,
                        help="CONN_MAX_AGE for the workers (default: the demo's, 0)")
    parser.add_argument("--database", default="cert_bench_h5", help="PostgreSQL database made for the run")
    parser.add_argument("--redis-db", type=int, default=10, help="Redis database number (default 10)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file to write")
    args = parser.parse_args(argv)
    count = 20 if args.quick else max(2, args.certificates)
    wanted = {name.strip() for name in args.layouts.split(",")} | {"one"}
    layouts = [layout for layout in LAYOUTS if layout.key in wanted]
    broker = f"{harness.REDIS_URL}/{args.redis_db}"
    for problem in (harness.postgres_available(), harness.redis_available(broker)):
        if problem:
            sys.stderr.write(f"benchmarks.workers needs PostgreSQL and Redis: {problem}\n")
            return 2

    started = time.perf_counter()
    var_dir = tempfile.mkdtemp(prefix="cert-plugin-bench-workers-")
    logs = Path(var_dir, "logs")
    logs.mkdir()
    try:
        harness.write_overlay(var_dir)
        extra = {"CERT_BENCH_CONN_MAX_AGE": str(args.conn_max_age)} if args.conn_max_age else {}
        env = harness.environment(var_dir, db="postgres", db_name=args.database, broker=broker, **extra)
        harness.flush_redis(broker)
        with harness.postgres_database(args.database), harness.Processes() as procs:
            progress(f"PostgreSQL database {args.database}, Redis {broker}, var dir {var_dir}")
            harness.setup_django(env)
            from benchmarks.run import machine

            info = machine()
            course = harness.make_course("course-v1:Northwind+WORKERS+2026")
            outcomes = [run_layout(procs, layout, course=course, env=env, logs=logs, certificates=count,
                                   prefetch=args.prefetch_multiplier) for layout in layouts]
        text = markdown(outcomes, info, time.perf_counter() - started, harness.load_average(),
                        args.prefetch_multiplier, args.conn_max_age)
    finally:
        try:
            harness.flush_redis(broker)
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)
    return write_report(args.output, text)


if __name__ == "__main__":
    raise SystemExit(main())
