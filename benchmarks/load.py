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
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.harness import progress
from benchmarks.run import write_report

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results-load.md"
RESULTS_JSON = HERE / "results-load.json"
SCRIPT = HERE / "verify.lua"
RAISED = "1000000/s"
TARGET_RATIO = 0.6  # the plugin's req/s over the anchor's, in the same run
TARGET_P99_MS = 30.0
WARMUP_CODES = 8000  # the tail of the code list, kept for warm-ups
QUIET_OTHERS = 0.3  # CPUs other processes may use during a run for it to count as quiet
PRODUCTION_RATE = (30, 60)  # cert_plugin.conf's default VERIFY_RATE, "30/m"
TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Options:
    """How every server is run and loaded."""

    procs: harness.Processes
    seconds: float
    connections: int
    wrk_threads: int
    workers: int
    worker_class: str
    threads: int


@dataclass(frozen=True)
class Server:
    """One gunicorn configuration: the project served, the limiter's rate and the cache that keeps its
    counters, and whether database connections persist (the demo's settings: ``CONN_MAX_AGE=60``)."""

    key: str
    rate: str | None  # None: the production default (VERIFY_RATE not set)
    cache: str  # "locmem" (the demo's default cache) or "redis"
    persistent: bool = True  # False: CONN_MAX_AGE = 0, a new connection per request
    anchor: bool = False  # the anchor project (benchmarks/anchor) instead of the demo LMS

    @property
    def label(self) -> str:
        if self.anchor:
            return "anchor (a minimal Django project: one indexed lookup, a small template or JsonResponse)"
        limit = "production limit (30/m)" if self.rate is None else "limit raised"
        cache = "LocMem cache (per worker)" if self.cache == "locmem" else "Redis cache (shared)"
        connections = "" if self.persistent else ", a new DB connection per request (`CONN_MAX_AGE=0`)"
        return f"{limit}, {cache}{connections}"


@dataclass(frozen=True)
class Scenario:
    server: Server
    mode: str  # "html", "json" or "mixed" (see verify.lua)
    repeat: bool = False  # codes the same server answered in its previous run (else codes it never saw)

    @property
    def label(self) -> str:
        what = {"html": "verify page (HTML)", "json": "verify JSON (`api-verify`)",
                "mixed": "HTML and JSON alternately"}[self.mode]
        if self.server.anchor:
            what = {"html": "page", "json": "JSON", "mixed": "page and JSON"}[self.mode]
        codes = "; codes verified in the previous run" if self.repeat else ""
        return f"{what}; {self.server.label}{codes}"


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


ANCHOR_SETTINGS = "benchmarks.anchor.settings"


@dataclass
class Data:
    """What both projects hold: the same codes, the plugin's certificates in a mix of states."""

    codes: int
    states: dict[str, int]
    seconds: float


def seed(count: int, codes_file: Path, anchor_db: Path, env: dict[str, str]) -> Data:
    """Fill the demo LMS the way ``benchmarks.verify_scale`` does (courses, learners, signed certificates,
    some expired and revoked), then the anchor's database with one row per code, in another process."""
    from django.db import connections

    from benchmarks.verify_scale import Filler
    from cert_plugin import codes

    started = time.perf_counter()
    filler = Filler(count)
    filler.prepare()
    fill = filler.certificates_up_to(count)
    issued = [codes.format_code(code) for code in fill.codes]
    random.Random(16).shuffle(issued)  # expired and revoked ones spread through every run
    codes_file.write_text("\n".join(issued) + "\n", encoding="ascii")
    connections.close_all()
    subprocess.run([sys.executable, "-m", "benchmarks.anchor.seed", str(codes_file), str(anchor_db)],
                   env={**env, "DJANGO_SETTINGS_MODULE": ANCHOR_SETTINGS}, check=True, timeout=600)
    return Data(len(issued), dict(fill.states), time.perf_counter() - started)


class Offsets:
    """Where each run starts in the list of codes, so that a run asks a server only for codes it has
    never answered (nothing it cached helps), unless the run is meant to repeat the previous one."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.warmup = max(0, total - WARMUP_CODES)  # the tail of the list, which runs reach last
        self._next: dict[str, int] = {}
        self._last: dict[tuple[str, str], tuple[int, int]] = {}  # (server, mode) -> (offset, span)
        self.wrapped: set[str] = set()  # servers whose runs came back to codes they had answered

    def take(self, scenario: Scenario) -> tuple[int, int]:
        """Where the run starts and how many codes it cycles through (0: all)."""
        key = scenario.server.key
        if scenario.repeat:  # exactly the codes the previous run of this kind asked for
            return self._last[(key, scenario.mode)]
        offset = self._next.get(key, 0)
        self._last[(key, scenario.mode)] = (offset, 0)
        return offset, 0

    def used(self, scenario: Scenario, requests: int) -> None:
        if scenario.repeat or scenario.server.anchor:  # the anchor keeps nothing: any code is new to it
            return
        key = scenario.server.key
        offset = self._next.get(key, 0)
        self._last[(key, scenario.mode)] = (offset, min(requests, self.total))
        self._next[key] = offset + requests + 1
        if self._next[key] > self.warmup:
            self.wrapped.add(scenario.server.label)


# --------------------------------------------------------------------------------------- server


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


@dataclass
class Running:
    server: Server
    child: Any
    base: str


@dataclass
class Bench:
    """One run's place and settings: its directory, environment, codes and how servers are loaded."""

    var_dir: str
    env: dict[str, str]
    codes_file: Path
    offsets: Offsets
    options: Options


@contextlib.contextmanager
def serve(bench: Bench, server: Server) -> Iterator[Running]:
    """gunicorn serving ``server``, warmed up (imports, templates, connections), stopped afterwards."""
    var_dir, env, codes_file, options = bench.var_dir, bench.env, bench.codes_file, bench.options
    if server.cache == "redis":
        harness.flush_redis(env["CERT_BENCH_REDIS"])
    port = harness.free_port()
    extra = dict(env)
    application = "devhost.wsgi:application"
    if server.anchor:
        extra.update(DJANGO_SETTINGS_MODULE=ANCHOR_SETTINGS,
                     ANCHOR_DB_NAME=str(Path(var_dir, "anchor.sqlite3")))
        application = "benchmarks.anchor.wsgi:application"
    if server.rate is not None:
        extra["CERT_BENCH_VERIFY_RATE"] = server.rate
    if server.cache == "redis":
        extra["CERT_BENCH_CACHE_URL"] = env["CERT_BENCH_REDIS"]
    if not server.persistent:
        extra["CERT_BENCH_CONN_MAX_AGE"] = "0"
    command = [sys.executable, "-m", "gunicorn", "--workers", str(options.workers), "--worker-class",
               options.worker_class, "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
               "--backlog", "2048", "--timeout", "30"]
    if options.worker_class == "gthread":
        command += ["--threads", str(options.threads)]
    log = Path(var_dir, "logs", f"gunicorn-{server.key}.log")
    child = options.procs.start([*command, application], env=extra, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        harness.wait_for(lambda: _get(f"{base}/certs/verify/") == 200, what="gunicorn to answer", timeout=60,
                         interval=0.3, log=log, alive=child)
        # Warm-up without spending the limiter's budget: the form page is not rate-limited; with the
        # limit raised, the verify endpoints themselves, on codes at the tail of the list.
        if server.rate is None:
            _wrk(base, mode="html", codes_file=codes_file, seconds=2, options=options, script=False,
                 path="/certs/verify/")
        else:
            _wrk(base, mode="mixed", codes_file=codes_file, seconds=3, options=options,
                 offset=bench.offsets.warmup)
        yield Running(server, child, base)
    finally:
        options.procs.stop(child)


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


def _wrk(base: str, *, mode: str, codes_file: Path, seconds: float, options: Options, script: bool = True,
         path: str = "", offset: int = 0, span: int = 0) -> tuple[dict[str, Any], float]:
    """Run wrk; returns the WRK_JSON summary (script runs) and wrk's CPU seconds."""
    command = ["wrk", f"-t{options.wrk_threads}", f"-c{options.connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", "2s", "--latency"]
    if script:
        command += ["-s", str(SCRIPT)]
    env = {**os.environ, "VERIFY_CODES": str(codes_file), "VERIFY_MODE": mode, "VERIFY_OFFSET": str(offset),
           "VERIFY_SPAN": str(span)}
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


def measure(bench: Bench, running: Running, scenario: Scenario) -> Result:
    """One wrk run against a running server."""
    options, offsets = bench.options, bench.offsets
    progress(f"{scenario.label}: wrk for {options.seconds:.0f} s, {options.connections} connections")
    offset, span = offsets.take(scenario)
    cpu_before, started, meter = _server_cpu(running.child), time.time(), harness.CpuMeter(options.procs)
    data, wrk_cpu = _wrk(running.base, mode=scenario.mode, codes_file=bench.codes_file,
                         seconds=options.seconds, options=options, offset=offset, span=span)
    result = Result(scenario, data, started, time.time(), _server_cpu(running.child) - cpu_before, wrk_cpu,
                    data.get("counts", {}), meter.stop(extra=wrk_cpu))
    offsets.used(scenario, result.requests)
    progress(f"    {result.rps:,.0f} req/s; p50 {result.latency_ms('p50'):.1f} ms, "
             f"p99 {result.latency_ms('p99'):.1f} ms; {result.counts}; "
             f"socket errors {result.socket_errors}; {result.machine}")
    return result


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
             f"**{result.rps:,.0f} req/s** ({result.requests:,} in {result.seconds:.0f} s)", "—", "—", "—"),
        _row(f"{label}: latency p50 / p90 / p99", _latencies(result), "—", f"p99 ≤ {TARGET_P99_MS:g} ms",
             _yes(result.latency_ms("p99") <= TARGET_P99_MS)),
        _row(f"{label}: errors + non-2xx",
             f"**{errors}** ({result.socket_errors} socket, {result.non_2xx} non-2xx)", "—", "0",
             _yes(errors == 0)),
    ]


@dataclass
class Pair:
    """The plugin and the anchor, loaded one after the other with the same wrk run."""

    round: int
    plugin: Result
    anchor: Result

    @property
    def ratio(self) -> float:
        return self.plugin.rps / self.anchor.rps if self.anchor.rps else 0.0


@dataclass
class Comparison:
    pairs: list[Pair]

    def of(self, mode: str) -> list[Pair]:
        return [pair for pair in self.pairs if pair.plugin.scenario.mode == mode]

    def ratio(self, mode: str) -> float:
        return statistics.median(pair.ratio for pair in self.of(mode))

    def rps(self, mode: str, side: str) -> float:
        return statistics.median(getattr(pair, side).rps for pair in self.of(mode))

    def p99(self, mode: str) -> float:
        """The plugin's worst p99 over the rounds."""
        return max(pair.plugin.latency_ms("p99") for pair in self.of(mode))

    def errors(self, mode: str) -> int:
        return sum(pair.plugin.socket_errors + pair.plugin.non_2xx for pair in self.of(mode))

    def figures(self) -> dict[str, Any]:
        """The JSON summary's keys: req/s of both sides, the plugin's worst p99, ratios, errors."""
        figures: dict[str, Any] = {}
        for mode, name in (("html", "page"), ("json", "json")):
            figures[f"verify_{name}_rps"] = round(self.rps(mode, "plugin"), 1)
            figures[f"anchor_{name}_rps"] = round(self.rps(mode, "anchor"), 1)
            figures[f"verify_{name}_p99_ms"] = round(self.p99(mode), 2)
            figures[f"{name}_ratio"] = round(self.ratio(mode), 3)
        figures["errors"] = self.errors("html") + self.errors("json")
        return figures


def comparison_rows(comparison: Comparison) -> list[str]:
    lines = [("| Round | Request | Plugin req/s | Anchor req/s | Ratio | Plugin p50 / p99 "
             "| Anchor p50 / p99 |"), "|---|---|---|---|---|---|---|"]
    for pair in comparison.pairs:
        lines.append(_row(str(pair.round), {"html": "page", "json": "JSON"}[pair.plugin.scenario.mode],
                          f"{pair.plugin.rps:,.0f}", f"{pair.anchor.rps:,.0f}", f"{pair.ratio:.2f}",
                          f"{pair.plugin.latency_ms('p50'):.1f} / {pair.plugin.latency_ms('p99'):.1f} ms",
                          f"{pair.anchor.latency_ms('p50'):.1f} / {pair.anchor.latency_ms('p99'):.1f} ms"))
    lines += ["", "| Measurement | Figure | Target | Met |", "|---|---|---|---|"]
    for mode, what in (("html", "verify page"), ("json", "verify JSON")):
        ratio, p99, errors = comparison.ratio(mode), comparison.p99(mode), comparison.errors(mode)
        ours, theirs = comparison.rps(mode, "plugin"), comparison.rps(mode, "anchor")
        lines += [
            _row(f"{what}: req/s, plugin ÷ anchor (median of the rounds)",
                 f"**{ratio:.2f}** ({ours:,.0f} ÷ {theirs:,.0f})",
                 f"≥ {TARGET_RATIO:g}", _yes(ratio >= TARGET_RATIO)),
            _row(f"{what}: plugin's p99 (worst round)", f"**{p99:.1f} ms**", f"≤ {TARGET_P99_MS:g} ms",
                 _yes(p99 <= TARGET_P99_MS)),
            _row(f"{what}: errors + non-2xx (every round)", f"**{errors}**", "0", _yes(errors == 0)),
        ]
    return lines


def summary(comparison: Comparison, again: Comparison, certificates: int) -> dict[str, Any]:
    """``benchmarks/results-load.json``: the figures of the persistent-connection, raised-limit runs
    (codes never asked before), and of codes asked again (answers kept in Redis) when Redis ran."""
    figures: dict[str, Any] = {"certificates": certificates, **comparison.figures(),
                               "rounds": len(comparison.of("html"))}
    if again.pairs:
        figures["asked_again"] = {"cache": "Redis (django-redis 5.4.0, as Tutor)", **again.figures()}
    figures["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return figures


def markdown(results: list[Result], comparison: Comparison, again: Comparison, info: list[tuple[str, str]], *,
             data: Data,
             elapsed: float, load_end: str, options: Options, notes: list[str]) -> str:
    pool = f"{options.workers} `{options.worker_class}` workers"
    if options.worker_class == "gthread":
        pool += f" {TIMES} {options.threads} threads"
    intro = ("Written by `python -m benchmarks.load`. gunicorn serves the demo LMS (`devhost.settings`, "
             "DEBUG off) on 127.0.0.1; wrk drives it with `benchmarks/verify.lua`, cycling through every "
             "issued code. The anchor, a minimal Django project (`benchmarks/anchor`) holding one row per "
             "code, is served and driven the same way, alternately with the plugin. (a) the rate limiter "
             f"as in production; (b) the limit raised to {RAISED} (still counted per request). See "
             "`benchmarks/README.md`.")
    states = ", ".join(f"{state} {n:,}" for state, n in sorted(data.states.items()))
    server = (f"gunicorn {_version('gunicorn')}, {pool}; SQLite databases with {data.codes:,} certificates "
              f"({states}; filled in {data.seconds:.0f} s)")
    load = (f"{_wrk_version()}, {options.wrk_threads} thread(s), {options.connections} connections, "
            f"{options.seconds:.0f} s per run, `--timeout 2s`")
    lines = ["# cert_plugin benchmarks: verify under load (gunicorn + wrk)", "", intro, ""]
    lines += [f"- **{key}**: {value}" for key, value in info]
    lines += [f"- **Server**: {server}", f"- **Load**: {load}",
              f"- **Run**: {elapsed:.0f} s; load average at the end {load_end}", ""]
    lines += ["## Against the anchor (persistent connections, limit raised, LocMem cache)", "",
              ("Each round loads the anchor and the plugin one after the other with the same wrk run "
               "(the order alternates); the plugin is asked only for codes it has not answered before."), ""]
    lines += comparison_rows(comparison)
    if again.pairs:
        lines += ["", "## Codes asked again (answers kept in Redis, django-redis as Tutor configures it)",
                  "", ("The plugin is asked again for the codes of its previous run (their answers are kept "
                       "in the shared cache, `cert_plugin.views.verify_answers`); the anchor, which keeps "
                       "nothing, right after, with the same wrk run."), ""]
        lines += comparison_rows(again)
    lines += ["", "## Every run", "", "| Measurement | Figure | Baseline | Target | Met |",
              "|---|---|---|---|---|"]
    raised = [r for r in results if r.scenario.server.rate is not None and not r.scenario.server.anchor]
    for result in results:
        if result.scenario.server.anchor:
            continue
        if result.scenario.server.rate is None:
            same_cache = [r for r in raised if r.scenario.server.cache == result.scenario.server.cache
                          and not r.scenario.repeat]
            candidates = same_cache or raised
            lines += _limited_rows(result, candidates[0] if candidates else None, options.workers)
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
    parser.add_argument("--duration", type=float, default=15, help="seconds of each wrk run (default 15)")
    parser.add_argument("--quick", action="store_true",
                        help="5-second runs, 2,000 certificates: a smoke test")
    parser.add_argument("--certificates", type=int, default=100_000,
                        help="certificates to issue (default 100,000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds against the anchor (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync",
                        help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument("--no-redis", action="store_true", help="skip the runs with a Redis cache")
    parser.add_argument("--redis-db", type=int, default=10, help="Redis database number (default 10)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file to write")
    parser.add_argument("--json", type=Path, default=RESULTS_JSON, help="JSON summary to write")
    args = parser.parse_args(argv)
    seconds = 5.0 if args.quick else max(1.0, args.duration)
    certificates = 2000 if args.quick else max(1000, args.certificates)
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
        ("The demo's `DATABASES` set `CONN_MAX_AGE=60`, as a production deployment should; the runs marked "
         "`CONN_MAX_AGE=0` open and set up a new database connection for every request instead."),
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
    plugin = Server("raised-locmem", RAISED, "locmem")
    anchor = Server("anchor", None, "locmem", anchor=True)
    try:
        harness.write_overlay(var_dir)
        env = harness.environment(var_dir, db="sqlite", db_name=str(Path(var_dir, "bench.sqlite3")),
                                  CERT_BENCH_REDIS=redis_url)
        with harness.Processes() as procs:
            options = Options(procs, seconds, args.connections, args.wrk_threads, args.workers,
                              args.worker_class, args.threads)
            progress(f"Seeding {certificates:,} certificates in {var_dir} ...")
            harness.setup_django(env)
            from benchmarks.run import machine

            info = machine()
            data = seed(certificates, codes_file, Path(var_dir, "anchor.sqlite3"), env)
            progress(f"    seeded in {data.seconds:.0f} s")
            offsets = Offsets(data.codes)
            bench = Bench(var_dir, env, codes_file, offsets, options)
            results: list[Result] = []
            pairs: list[Pair] = []
            kept: list[Pair] = []
            with serve(bench, Server("prod-locmem", None, "locmem")) as running:
                results.append(measure(bench, running, Scenario(running.server, "mixed")))
            with serve(bench, plugin) as ours, serve(bench, anchor) as theirs:
                for number in range(1, max(1, args.rounds) + 1):
                    for mode in ("html", "json"):
                        order = (theirs, ours) if (number + (mode == "json")) % 2 else (ours, theirs)
                        measured = {r.server.anchor: measure(bench, r, Scenario(r.server, mode))
                                    for r in order}
                        pairs.append(Pair(number, measured[False], measured[True]))
                        results.append(measured[False])
            connect = Server("raised-locmem-connect", RAISED, "locmem", persistent=False)
            with serve(bench, connect) as running:
                results += [measure(bench, running, Scenario(running.server, mode))
                            for mode in ("html", "json")]
            if use_redis:
                with serve(bench, Server("prod-redis", None, "redis")) as running:
                    results.append(measure(bench, running, Scenario(running.server, "mixed")))
                # Codes asked again: the answers the first run kept in the shared cache, against the
                # anchor in the same minutes.
                shared = Server("raised-redis", RAISED, "redis")
                with serve(bench, shared) as ours, serve(bench, anchor) as theirs:
                    for mode in ("html", "json"):
                        results.append(measure(bench, ours, Scenario(ours.server, mode)))
                        again = measure(bench, ours, Scenario(ours.server, mode, repeat=True))
                        results.append(again)
                        kept.append(Pair(1, again, measure(bench, theirs, Scenario(theirs.server, mode))))
        if offsets.wrapped:
            notes.append("Runs came back to codes the same server had answered "
                         f"({'; '.join(sorted(offsets.wrapped))}): use more certificates or shorter runs.")
        comparison, again = Comparison(pairs), Comparison(kept)
        text = markdown(results, comparison, again, info, data=data, elapsed=time.perf_counter() - started,
                        load_end=harness.load_average(), options=options, notes=notes)
        figures = summary(comparison, again, data.codes)
    finally:
        try:
            if use_redis:
                harness.flush_redis(redis_url)
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return write_report(args.output, text)


def _has_gunicorn() -> bool:
    import importlib.util

    return importlib.util.find_spec("gunicorn") is not None


if __name__ == "__main__":
    raise SystemExit(main())
