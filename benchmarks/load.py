"""Load test of the public verify endpoint under gunicorn: ``python -m benchmarks.load``.

Issue 6, benchmark 7: the verify page (HTML) and its JSON twin served by gunicorn with 2 sync
workers on 127.0.0.1, the demo LMS (``devhost.settings``, DEBUG off) on a fresh SQLite database
in a temporary directory holding some thousands of issued certificates, driven by ``wrk`` for a
bounded time with ``benchmarks/verify.lua`` cycling through every code. Targets: ≥ 500 req/s,
p99 ≤ 50 ms, no errors and no non-2xx answer.

The verify views rate-limit per client (``cert_plugin.ratelimit``, ``VERIFY_RATE`` = 30/m by
default, keyed on ``REMOTE_ADDR``; ``X-Forwarded-For`` is never trusted). wrk is one loopback
client, so the run is made twice over:

* (a) the limiter as in production (30/m): how many requests pass, how many get 429, how fast
  the 429s are and whether each carries ``Retry-After``;
* (b) the limit raised to 1,000,000/s (the limiter still counts every request): throughput and
  latency against the targets, with the demo's database settings (a new connection per request)
  and with persistent connections (``CONN_MAX_AGE=60``, as production should run).

Both with the demo's cache (none configured: Django's per-process LocMemCache, so each gunicorn
worker keeps its own counters) and with a shared Redis cache (127.0.0.1:6379, database 10, emptied
before and after), when Redis answers. Needs ``wrk`` (Debian package) and ``gunicorn``
(``requirements/bench.in``): ``make bench`` installs both. Writes ``benchmarks/results-load.md`` and
prints it. Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.harness import progress
from benchmarks.run import write_report

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results-load.md"
SCRIPT = HERE / "verify.lua"
RAISED = "1000000/s"
TARGET_RPS = 500
TARGET_P99_MS = 50.0
QUIET_OTHERS = 0.3  # CPUs other processes may use during a run for it to count as quiet
PRODUCTION_RATE = (30, 60)  # cert_plugin.conf's default VERIFY_RATE, "30/m"
TIMES = "\N{MULTIPLICATION SIGN}"
_RENDER_TASK = "cert_plugin.tasks.render_certificate"


@dataclass(frozen=True)
class Server:
    """One gunicorn configuration: the limiter's rate and the cache that keeps its counters."""

    key: str
    rate: str | None  # None: the production default (VERIFY_RATE not set)
    cache: str  # "locmem" (the demo's default cache) or "redis"
    persistent: bool = False  # CONN_MAX_AGE = 60 (the demo: 0, a new connection per request)

    @property
    def label(self) -> str:
        limit = "production limit (30/m)" if self.rate is None else "limit raised"
        cache = "LocMem cache (per worker)" if self.cache == "locmem" else "Redis cache (shared)"
        connections = ", persistent DB connections (`CONN_MAX_AGE=60`)" if self.persistent else ""
        return f"{limit}, {cache}{connections}"


@dataclass(frozen=True)
class Scenario:
    server: Server
    mode: str  # "html", "json" or "mixed" (see verify.lua)

    @property
    def label(self) -> str:
        what = {"html": "verify page (HTML)", "json": "verify JSON (`api-verify`)",
                "mixed": "HTML and JSON alternately"}[self.mode]
        return f"{what}; {self.server.label}"


@dataclass
class Result:
    """What wrk measured, plus the CPU used meanwhile."""

    scenario: Scenario
    data: dict[str, Any]
    started: float  # time.time() at the start and the end of the run (for rate-limit windows)
    ended: float
    server_cpu: float = 0.0  # CPU seconds of the gunicorn workers during the run
    wrk_cpu: float = 0.0  # CPU seconds of wrk
    counts: dict[str, int] = field(default_factory=dict)
    machine: harness.CpuUse | None = None  # how busy the machine was meanwhile (wrk counted as ours)

    @property
    def seconds(self) -> float:
        return float(self.data["duration_us"]) / 1e6

    @property
    def requests(self) -> int:
        return int(self.data["requests"])

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def latency_ms(self, name: str) -> float:
        return float(self.data["latency_us"][name]) / 1000

    def status(self, code: int) -> int:
        return sum(n for key, n in self.counts.items() if key.endswith(f" {code}"))

    @property
    def non_2xx(self) -> int:
        return sum(n for key, n in self.counts.items() if not 200 <= int(key.split()[1]) < 300)

    @property
    def socket_errors(self) -> int:
        errors = self.data["errors"]
        return int(errors["connect"] + errors["read"] + errors["write"] + errors["timeout"])

    @property
    def windows(self) -> int:
        """Rate-limit windows (fixed, aligned to the epoch) that the run touched."""
        period = PRODUCTION_RATE[1]
        return int(self.ended // period) - int(self.started // period) + 1


# --------------------------------------------------------------------------------------- data


def seed(count: int, codes_file: Path) -> None:
    """Issue ``count`` certificates (in-process, no render: verification reads records only)."""
    from django.db import connections, transaction

    from cert_plugin import jobs

    # Drop the render task the way tests/conftest.py's no_render_task fixture does: every task goes
    # through jobs.enqueue_all (jobs.enqueue included).
    real = jobs.enqueue_all

    def enqueue_all(tasks: Any, **kwargs: Any) -> None:
        real([(name, args) for name, args in tasks if name != _RENDER_TASK], **kwargs)

    course = harness.make_course("course-v1:Northwind+LOAD+2026")
    users = harness.make_learners(course, count, prefix="load-")
    codes = []
    jobs.enqueue_all = enqueue_all
    try:
        for start in range(0, count, 500):
            with transaction.atomic():
                issued = harness.issue(users[start:start + 500], course.course_key)
                codes += [certificate.formatted_code for certificate in issued]
    finally:
        jobs.enqueue_all = real
    from cert_plugin.models import RenderedFile

    if RenderedFile.objects.exists():
        raise RuntimeError("seeding rendered files: cert_plugin.jobs no longer sends tasks through "
                           "enqueue_all; update benchmarks/load.py:seed")
    codes_file.write_text("\n".join(codes) + "\n", encoding="ascii")
    connections.close_all()


# --------------------------------------------------------------------------------------- server


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def _start_server(procs: harness.Processes, server: Server, *, var_dir: str, env: dict[str, str],
                  workers: int, worker_class: str, threads: int) -> tuple[Any, str]:
    port = harness.free_port()
    extra = dict(env)
    if server.rate is not None:
        extra["CERT_BENCH_VERIFY_RATE"] = server.rate
    if server.cache == "redis":
        extra["CERT_BENCH_CACHE_URL"] = env["CERT_BENCH_REDIS"]
    if server.persistent:
        extra["CERT_BENCH_CONN_MAX_AGE"] = "60"
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", worker_class,
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048",
               "--timeout", "30"]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    log = Path(var_dir, "logs", f"gunicorn-{server.key}.log")
    child = procs.start([*command, "devhost.wsgi:application"], env=extra, log=log)
    base = f"http://127.0.0.1:{port}"
    harness.wait_for(lambda: _get(f"{base}/certs/verify/") == 200, what="gunicorn to answer", timeout=60,
                     interval=0.3, log=log, alive=child)
    return child, base


def _server_cpu(master: Any) -> float:
    """CPU seconds (user + system) used so far by the children of ``master`` (gunicorn's workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == master.pid:  # fields[1] is the parent's pid; [11], [12] utime, stime
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _wrk(base: str, *, mode: str, codes_file: Path, seconds: float, connections: int, threads: int,
         script: bool = True, path: str = "") -> tuple[dict[str, Any], float]:
    """Run wrk; returns the WRK_JSON summary (script runs) and wrk's CPU seconds."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "2s",
               "--latency"]
    if script:
        command += ["-s", str(SCRIPT)]
    env = {**os.environ, "VERIFY_CODES": str(codes_file), "VERIFY_MODE": mode}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    finished = subprocess.run([*command, base + path], env=env, capture_output=True, text=True,
                              timeout=seconds + 60, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr or finished.stdout}")
    if not script:
        return {}, cpu
    for line in finished.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line[len("WRK_JSON "):]), cpu
    raise RuntimeError(f"wrk printed no summary:\n{finished.stdout}\n{finished.stderr}")


def run_server(procs: harness.Processes, server: Server, modes: list[str], *, var_dir: str,
               env: dict[str, str], codes_file: Path, seconds: float, connections: int, wrk_threads: int,
               workers: int, worker_class: str, threads: int) -> list[Result]:
    if server.cache == "redis":
        harness.flush_redis(env["CERT_BENCH_REDIS"])
    child, base = _start_server(procs, server, var_dir=var_dir, env=env, workers=workers,
                                worker_class=worker_class, threads=threads)
    results = []
    try:
        # Warm-up (imports, templates, database connections) without spending the limiter's budget:
        # the form page is not rate-limited; with the limit raised, the verify endpoints themselves.
        if server.rate is None:
            _wrk(base, mode="html", codes_file=codes_file, seconds=2, connections=connections,
                 threads=wrk_threads, script=False, path="/certs/verify/")
        else:
            _wrk(base, mode="mixed", codes_file=codes_file, seconds=3, connections=connections,
                 threads=wrk_threads)
        for mode in modes:
            scenario = Scenario(server, mode)
            progress(f"{scenario.label}: wrk for {seconds:.0f} s, {connections} connections")
            cpu_before, started, meter = _server_cpu(child), time.time(), harness.CpuMeter(procs)
            data, wrk_cpu = _wrk(base, mode=mode, codes_file=codes_file, seconds=seconds,
                                 connections=connections, threads=wrk_threads)
            result = Result(scenario, data, started, time.time(), _server_cpu(child) - cpu_before, wrk_cpu,
                            data.get("counts", {}), meter.stop(extra=wrk_cpu))
            results.append(result)
            progress(f"    {result.rps:,.0f} req/s; p50 {result.latency_ms('p50'):.1f} ms, "
                     f"p99 {result.latency_ms('p99'):.1f} ms; {result.counts}; "
                     f"socket errors {result.socket_errors}; {result.machine}")
    finally:
        procs.stop(child)
    return results


# --------------------------------------------------------------------------------------- report


def _yes(condition: bool) -> str:
    return "yes" if condition else "**NO**"


def _latencies(result: Result) -> str:
    return (f"{result.latency_ms('p50'):.1f} / {result.latency_ms('p90'):.1f} / "
            f"**{result.latency_ms('p99'):.1f} ms** (max {result.latency_ms('max'):.0f})")


def _cpu(result: Result) -> str:
    seconds, requests = result.seconds, max(1, result.requests)
    per_request = (result.server_cpu + result.wrk_cpu) / requests
    ceiling = (os.cpu_count() or 1) / per_request if per_request else 0.0
    return (f"gunicorn workers {result.server_cpu / seconds:.0%} of one CPU "
            f"({result.server_cpu * 1000 / requests:.2f} ms CPU per request), wrk "
            f"{result.wrk_cpu / seconds:.0%}, so at most ~{ceiling:,.0f} req/s if this machine's CPUs did "
            f"nothing else; {result.machine}")


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _limited_rows(result: Result, reference: Result | None, workers: int) -> list[str]:
    label = f"(a) {result.scenario.label}"
    allowed, limited = result.status(200), result.status(429)
    retry = result.data["retry_after"]
    shared = result.scenario.server.cache != "locmem"
    budget = PRODUCTION_RATE[0] * (1 if shared else workers) * result.windows
    how = ("30/m, one shared counter" if shared
           else f"30/m {TIMES} {workers} workers (a counter per process)")
    answers = (f"{allowed:,} {TIMES} 200, **{limited:,} {TIMES} 429**, {result.non_2xx - limited:,} other "
               f"non-2xx, {result.socket_errors} socket errors")
    rows = [
        _row(f"{label}: answers", answers, f"budget {how} {TIMES} {result.windows} window(s) = {budget}",
             "200s within the budget", _yes(allowed <= budget)),
        _row(f"{label}: 429s carrying `Retry-After`",
             f"{retry['count']:,} of {limited:,} (values {retry['min']} to {retry['max']} s)", "—", "all",
             _yes(limited > 0 and retry["count"] == limited)),
    ]
    base = "—"
    if reference is not None:
        base = (f"{reference.rps:,.0f} req/s, p99 {reference.latency_ms('p99'):.1f} ms "
                f"((b), {reference.scenario.mode})")
    rows.append(_row(f"{label}: throughput; latency p50 / p90 / p99 (nearly all are 429s)",
                     f"{result.rps:,.0f} req/s; {_latencies(result)}", base, "cheap", "—"))
    return rows


def _raised_rows(result: Result) -> list[str]:
    label = f"(b) {result.scenario.label}"
    errors = result.socket_errors + result.non_2xx
    return [
        _row(f"{label}: throughput",
             f"**{result.rps:,.0f} req/s** ({result.requests:,} in {result.seconds:.0f} s)", "—",
             f"≥ {TARGET_RPS} req/s", _yes(result.rps >= TARGET_RPS)),
        _row(f"{label}: latency p50 / p90 / p99", _latencies(result), "—", f"p99 ≤ {TARGET_P99_MS:g} ms",
             _yes(result.latency_ms("p99") <= TARGET_P99_MS)),
        _row(f"{label}: errors + non-2xx",
             f"**{errors}** ({result.socket_errors} socket, {result.non_2xx} non-2xx)", "—", "0",
             _yes(errors == 0)),
    ]


def markdown(results: list[Result], info: list[tuple[str, str]], *, certificates: int, elapsed: float,
             load_end: str, workers: int, worker_class: str, threads: int, connections: int,
             wrk_threads: int, notes: list[str]) -> str:
    pool = f"{workers} `{worker_class}` workers"
    if worker_class == "gthread":
        pool += f" {TIMES} {threads} threads"
    intro = ("Written by `python -m benchmarks.load`. gunicorn serves the demo LMS (`devhost.settings`, "
             "DEBUG off) on 127.0.0.1; wrk drives it with `benchmarks/verify.lua`, cycling through every "
             "issued code. (a) the rate limiter as in production; (b) the limit raised to "
             f"{RAISED} (still counted per request). See `benchmarks/README.md`.")
    server = f"gunicorn {_version('gunicorn')}, {pool}; SQLite database with {certificates:,} certificates"
    load = f"{_wrk_version()}, {wrk_threads} thread(s), {connections} connections, `--timeout 2s`"
    lines = ["# cert_plugin benchmarks: verify under load (gunicorn + wrk)", "", intro, ""]
    lines += [f"- **{key}**: {value}" for key, value in info]
    lines += [f"- **Server**: {server}", f"- **Load**: {load}",
              f"- **Run**: {elapsed:.0f} s; load average at the end {load_end}", ""]
    lines += ["| Measurement | Figure | Baseline | Target | Met |", "|---|---|---|---|---|"]
    raised = [result for result in results if result.scenario.server.rate is not None]
    for result in results:
        if result.scenario.server.rate is None:
            same_cache = [r for r in raised if r.scenario.server.cache == result.scenario.server.cache
                          and not r.scenario.server.persistent]
            candidates = same_cache or raised
            reference = candidates[0] if candidates else None
            lines += _limited_rows(result, reference, workers)
        else:
            lines += _raised_rows(result)
    lines += ["", "## Notes", ""]
    for result in results:
        answers = ", ".join(f"{key} {TIMES} {n:,}" for key, n in sorted(result.counts.items()))
        lines.append(f"- {result.scenario.label}: {_cpu(result)}; answers by kind and status: {answers}.")
    busy = [r.scenario.label for r in results if r.machine is not None and r.machine.others > QUIET_OTHERS]
    if busy:
        lines.append(f"- **Busy machine** ({'; '.join(busy)}): other processes used more than "
                     f"{QUIET_OTHERS:.0%} of a CPU during the run, so the req/s and latencies there are low; "
                     "the ms of CPU per request are the steadier figure. Rerun on a quiet machine.")
    lines += [f"- {note}" for note in notes]
    lines.append("")
    return "\n".join(lines)


def _version(name: str) -> str:
    from benchmarks.run import _version as version

    return version(name)


def _wrk_version() -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        output = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10, check=False)
        return (output.stdout or output.stderr).split("Copyright")[0].strip()
    return "wrk"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30, help="seconds of each wrk run (default 30)")
    parser.add_argument("--quick", action="store_true", help="5-second runs, 300 certificates: a smoke test")
    parser.add_argument("--certificates", type=int, default=3000, help="certificates to issue (default 3000)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync",
                        help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument("--no-redis", action="store_true", help="skip the runs with a Redis cache")
    parser.add_argument("--redis-db", type=int, default=10, help="Redis database number (default 10)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file to write")
    args = parser.parse_args(argv)
    seconds = 5.0 if args.quick else max(1.0, args.duration)
    certificates = 300 if args.quick else max(10, args.certificates)
    missing = [what for what, ok in (("wrk (Debian package wrk)", shutil.which("wrk")),
                                     ("gunicorn (requirements/bench.in)", _has_gunicorn())) if not ok]
    if missing:
        sys.stderr.write(f"benchmarks.load needs {' and '.join(missing)}: run `make bench` or "
                         "scripts/bench-deps.sh and `pip install -c requirements/constraints.txt "
                         "-r requirements/bench.in`.\n")
        return 2
    redis_url = f"{harness.REDIS_URL}/{args.redis_db}"
    notes = [
        ("The demo configures no `CACHES`, so the limiter's counters live in Django's default LocMemCache, "
         "one per gunicorn worker process: with 2 workers one client gets up to twice `VERIFY_RATE`, and a "
         "restart forgets every counter. Production should use a shared cache (Redis, Memcached) as the "
         "`default` alias; the (a) Redis run shows it holding the exact budget."),
        ("The demo's `DATABASES` leave `CONN_MAX_AGE` at 0: Django opens and sets up a new database "
         "connection for every request (for SQLite about 1 ms of CPU, a quarter of a verify request). "
         "The persistent-connection runs set `CONN_MAX_AGE=60`, as a production deployment should."),
        ("The limiter keys on `REMOTE_ADDR` only (IPv6 by /64) and never trusts `X-Forwarded-For`; wrk on "
         "loopback is one client (127.0.0.1), so (b) raises the limit rather than faking client addresses."),
    ]
    use_redis = not args.no_redis
    if use_redis and (problem := harness.redis_available(redis_url)):
        notes.append(f"No Redis runs: {problem}.")
        use_redis = False

    started = time.perf_counter()
    var_dir = tempfile.mkdtemp(prefix="cert-plugin-bench-load-")
    Path(var_dir, "logs").mkdir()
    codes_file = Path(var_dir, "codes.txt")
    servers = [(Server("prod-locmem", None, "locmem"), ["mixed"]),
               (Server("raised-locmem", RAISED, "locmem"), ["html", "json"]),
               (Server("raised-locmem-persistent", RAISED, "locmem", persistent=True), ["html", "json"])]
    if use_redis:
        servers += [(Server("prod-redis", None, "redis"), ["mixed"]),
                    (Server("raised-redis", RAISED, "redis"), ["mixed"])]
    try:
        harness.write_overlay(var_dir)
        env = harness.environment(var_dir, db="sqlite", db_name=str(Path(var_dir, "bench.sqlite3")),
                                  CERT_BENCH_REDIS=redis_url)
        with harness.Processes() as procs:
            progress(f"Seeding {certificates:,} certificates in {var_dir} ...")
            harness.setup_django(env)
            from benchmarks.run import machine

            info = machine()
            seed(certificates, codes_file)
            progress(f"    seeded in {time.perf_counter() - started:.0f} s")
            results: list[Result] = []
            for server, modes in servers:
                results += run_server(procs, server, modes, var_dir=var_dir, env=env, codes_file=codes_file,
                                      seconds=seconds, connections=args.connections,
                                      wrk_threads=args.wrk_threads, workers=args.workers,
                                      worker_class=args.worker_class, threads=args.threads)
        text = markdown(results, info, certificates=certificates, elapsed=time.perf_counter() - started,
                        load_end=harness.load_average(), workers=args.workers,
                        worker_class=args.worker_class, threads=args.threads, connections=args.connections,
                        wrk_threads=args.wrk_threads, notes=notes)
    finally:
        try:
            if use_redis:
                harness.flush_redis(redis_url)
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)
    return write_report(args.output, text)


def _has_gunicorn() -> bool:
    import importlib.util

    return importlib.util.find_spec("gunicorn") is not None


if __name__ == "__main__":
    raise SystemExit(main())
