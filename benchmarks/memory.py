"""Memory over many renders: ``python -m benchmarks.memory [--renders 1000] [--quick]``.

What it measures (issue 6, benchmark 6): how much a render worker's resident memory (RSS) grows
over 1,000 certificate renders in one process. Target: ≤ 50 MB of growth after warm-up.

How: the demo LMS on a fresh SQLite database in a temporary directory (``benchmarks.run``'s
``setup_django``), two courses (one on each built-in template: A4 landscape and A4 portrait)
and one learner per render, with names in Latin, Arabic, Hebrew, Cyrillic and CJK scripts so that
font subsets differ. The certificates are issued first by the real ``api.issue`` (the render it
queues is skipped); then the process does what the worker's ``render_certificate`` task does,
``api.render_files(certificate_id)``, once per certificate: the PDF (PDF/A-3b, PAdES-signed with
the demo's key) and the 150-dpi PNG, each stored in the temporary media directory.

RSS is read from ``/proc/self/status`` (``VmRSS``; ``VmHWM`` is the peak) before the first render,
after the warm-up (the first 20 renders: imports, fonts, caches), every 50 renders and at the
end. The collector runs as in production (no forced collection while rendering); the end RSS
after one ``gc.collect()`` is reported too. Growth is end minus after-warm-up. With
``--tracemalloc`` the run also takes tracemalloc snapshots after the warm-up and at the end and
lists the allocation sites that grew most (slower: use it to hunt a leak).

Writes ``benchmarks/results-memory.md`` (or ``--output``) and prints it. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/memory.py`: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness
from benchmarks.run import HERE, Timing, _load, _progress, machine, setup_django, write_report
from benchmarks.verify_scale import production_templates

RESULTS = HERE / "results-memory.md"
TARGET_GROWTH_MB = 50
WARMUP = 20
EVERY = 50
_NAMES = ["Amelia Okafor", "María José García López", "ليلى حداد", "Дмитрий Иванов", "渡辺 健二",
          "יעל כהן", "Søren Kierkegaard", "Zoë Nowak-Łukasiewicz", "Nguyễn Thị Minh Khai", "Chloé O'Brien"]


def status_kb(field: str) -> int:
    """A ``/proc/self/status`` field in kB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field} (this benchmark needs Linux)")


def rss_mb() -> float:
    return status_kb("VmRSS") / 1024


def issue_certificates(count: int) -> list[int]:
    """``count`` certificates through the real api, alternating the two built-in templates."""
    from django.contrib.auth import get_user_model

    from cert_plugin import api, jobs
    from devhost.lms.models import Course, Enrollment, Profile

    templates = api.builtin_templates()
    courses = []
    for i, template in enumerate(templates[:2]):
        course = Course.objects.create(course_key=f"course-v1:Northwind+MEM{i}+2026",
                                       title=["Python for Data Analysis", "Safety Officer Certification"][i],
                                       org="Northwind", passing_grade=0.6, hours=12 + 28 * i)
        api.configure_course(course.course_key, template=template, backfill=False)
        courses.append(course)
    user_model = get_user_model()
    user_model.objects.bulk_create([user_model(username=f"mem{i:05d}", email=f"mem{i:05d}@example.org")
                                    for i in range(count)])
    users = list(user_model.objects.filter(username__startswith="mem").order_by("pk"))
    Profile.objects.bulk_create([Profile(user=user, full_name=_NAMES[i % len(_NAMES)])
                                 for i, user in enumerate(users)])
    Enrollment.objects.bulk_create([Enrollment(user=user, course=courses[i % len(courses)])
                                    for i, user in enumerate(users)])
    real = jobs.enqueue

    def enqueue(task_name: str, *args: Any, **kwargs: Any) -> None:
        if task_name != "cert_plugin.tasks.render_certificate":  # rendered below, one by one
            real(task_name, *args, **kwargs)

    jobs.enqueue = enqueue  # type: ignore[assignment]
    try:
        return [api.issue(user, courses[i % len(courses)].course_key, reason="Memory benchmark").pk
                for i, user in enumerate(users)]
    finally:
        jobs.enqueue = real  # type: ignore[assignment]


def run(renders: int, trace: bool) -> dict[str, Any]:
    from cert_plugin import api

    _progress(f"Issuing {renders:,} certificates")
    ids = issue_certificates(renders)
    gc.collect()
    start = rss_mb()
    curve: list[tuple[int, float, float]] = [(0, start, 0.0)]  # (renders, RSS MB, seconds)
    times: list[float] = []
    warm = start
    snapshot = None
    began = time.perf_counter()
    _progress(f"Rendering {renders:,} certificates (PDF + PNG each); RSS {start:.1f} MB")
    for done, certificate_id in enumerate(ids, start=1):
        t0 = time.perf_counter()
        sizes = api.render_files(certificate_id)
        times.append(time.perf_counter() - t0)
        if not sizes.get("pdf") or not sizes.get("png"):
            raise RuntimeError(f"certificate {certificate_id} rendered nothing: {sizes}")
        if done == WARMUP:
            warm = rss_mb()
            curve.append((done, warm, time.perf_counter() - began))
            if trace:
                tracemalloc.start(25)
                snapshot = tracemalloc.take_snapshot()
        elif done % EVERY == 0 or done == renders:
            curve.append((done, rss_mb(), time.perf_counter() - began))
            if done % (4 * EVERY) == 0:
                _progress(f"    {done:,} renders, RSS {curve[-1][1]:.1f} MB")
    end = rss_mb()
    top: list[str] = []
    if snapshot is not None:
        diff = tracemalloc.take_snapshot().compare_to(snapshot, "lineno")
        top = [str(stat) for stat in diff[:15]]
        tracemalloc.stop()
    gc.collect()
    return {"renders": renders, "start": start, "warm": warm, "end": end, "end_collected": rss_mb(),
            "peak": status_kb("VmHWM") / 1024, "curve": curve, "times": times, "tracemalloc": top}


def markdown(result: dict[str, Any], info: list[tuple[str, str]], elapsed: float) -> str:
    growth = result["end"] - result["warm"]
    met = growth <= TARGET_GROWTH_MB
    renders = result["renders"]
    timing = Timing(result["times"][WARMUP:] or result["times"])
    intro = (f"RSS of one process running the worker's render path (`api.render_files`: PDF/A-3b + PAdES, "
             f"PNG 150 dpi) {renders:,} times. Targets are reported, never asserted; see "
             "`benchmarks/README.md`.")
    lines = ["# Memory over many renders (`python -m benchmarks.memory`)", "", intro, ""]
    lines += [f"- **{key}**: {value}" for key, value in info]
    lines += [f"- **Run**: {elapsed:.0f} s; load average at the end {_load()}", ""]
    trend = harness.slope(result["curve"], warmup=WARMUP, per=100)
    lines += ["| Measurement | Figure | Baseline | Target | Met |", "|---|---|---|---|---|",
              f"| RSS before the first render | {result['start']:.1f} MB | — | — | — |",
              f"| RSS after warm-up ({WARMUP} renders) | {result['warm']:.1f} MB | — | — | — |",
              f"| RSS after {renders:,} renders | {result['end']:.1f} MB | — | — | — |",
              (f"| **Growth after warm-up** (renders {WARMUP + 1:,} to {renders:,}) | {growth:+.1f} MB "
               f"| — | ≤ {TARGET_GROWTH_MB} MB | {'yes' if met else '**NO**'} |"),
              (f"| Trend after warm-up (least squares) | {trend:+.2f} MB per 100 renders "
               "| — | — | — |"),
              f"| RSS at the end after `gc.collect()` | {result['end_collected']:.1f} MB | — | — | — |",
              f"| Peak RSS (VmHWM) | {result['peak']:.1f} MB | — | — | — |",
              (f"| Time per render (`render_files`, after warm-up) | p50 {timing.median * 1000:.0f} ms, "
               f"p90 {timing.p90 * 1000:.0f} ms | — | — | — |"),
              "", "## RSS curve", "", "| Renders | RSS (MB) | Since warm-up (MB) | Elapsed (s) |",
              "|---:|---:|---:|---:|"]
    for n, mb, seconds in result["curve"]:
        since = f"{mb - result['warm']:+.1f}" if n >= WARMUP else "—"
        lines.append(f"| {n:,} | {mb:.1f} | {since} | {seconds:.0f} |")
    if result["tracemalloc"]:
        lines += ["", "## tracemalloc: allocation sites that grew most after warm-up", "", "```"]
        lines += result["tracemalloc"] + ["```"]
    lines += ["", "Targets missed: " + ("none" if met else "RSS growth"), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=1000, help="renders in one process (default 1000)")
    parser.add_argument("--quick", action="store_true", help="100 renders: a smoke test")
    parser.add_argument("--tracemalloc", action="store_true", help="list what grew (slower)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file to write")
    args = parser.parse_args(argv)
    renders = 100 if args.quick else max(WARMUP + EVERY, args.renders)
    started = time.perf_counter()
    var_dir = tempfile.mkdtemp(prefix="cert-plugin-bench-")
    try:
        _progress(f"Setting up the demo LMS on SQLite in {var_dir} ...")
        setup_django(var_dir)
        production_templates()
        info = machine()
        result = run(renders, args.tracemalloc)
        text = markdown(result, info, time.perf_counter() - started)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return write_report(args.output, text)


if __name__ == "__main__":
    raise SystemExit(main())
