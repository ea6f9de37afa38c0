"""Checking a certificate by its file: ``python -m benchmarks.verify_file [--quick]``.

What it measures (issue 16, last item): the file verification of the trust work (issue 15, part
4), where anyone drops a certificate's PDF or PNG on the verify page: the time of one check, for
the ~40 KB PDF and the ~300 KB PNG a learner downloads, and the memory one check takes.

How:

* **Set-up.** The demo LMS (``devhost.settings`` through ``benchmarks.harness``'s settings overlay,
  ``DEBUG`` off) on a fresh SQLite database in a temporary directory, removed afterwards. The rate
  limit is raised the way ``benchmarks.load`` raises it (``VERIFY_RATE`` = 1,000,000/s through
  ``CERT_BENCH_VERIFY_RATE``): the limiter still counts every request in the cache, it never
  answers 429. The test environment is not set up (no template instrumentation), as on a server.
* **Files.** A learner completes a course and real signals issue the certificate; the render task
  (run in process) stores its PDF (PDF/A-3b, PAdES-signed with the demo's institution key,
  ``credential.jwt`` attached) and its 150-dpi PNG (the VC-JWT in an iTXt chunk). The files are
  downloaded as the learner downloads them (``GET /certs/<code>.pdf`` and ``.png`` as the owner);
  the 300-dpi PNG too. Made from them: an **altered PDF** (its title changed after signing by an
  incremental update, the way an editor saves), a **PDF signed here but not the stored file**
  (rendered and signed again: checked against ``PDF_SIGNING``'s certificate instead of being
  recognised by its SHA-256) and a **JPEG photo** about the PNG's size (no credential).
* **Time.** p50, p90 and p99 of ``perf_counter`` around each check, all kinds interleaved in
  rounds (``benchmarks.run.interleave``), after warm-up. Through HTTP: Django's test ``Client``
  POSTs the file as ``multipart/form-data`` (the body encoded once beforehand, so the client's own
  encoding is not timed) to ``api-verify-file`` (JSON) and ``verify-file`` (the HTML page), the
  whole Django stack included (middleware, the capped in-memory upload reader, the answer). In
  the domain: ``api.check_file(content)`` alone.
* **Anchors, same run.** The plain verify by code of the same certificate (``GET`` of
  ``api-verify`` and of the verify page; ``api.verify(code)`` in the domain): what a check by file
  costs beyond the check by code, once with the default cache emptied before each request (a first
  visitor: the answer is built) and once repeated (where the verify path keeps answers, a kept
  one; a file check is never kept). For a PDF, **pyHanko's validation alone** of the same file
  (``PdfFileReader`` + ``validate_pdf_signature``, no difference analysis, as ``pades`` calls it):
  the part no PDF check can avoid. The SHA-256 of the same bytes: what merely reading them costs.
  And a table of the parts of a check timed one by one.
* **Memory.** ``tracemalloc``'s peak of Python allocations during one check (above what was
  allocated before it), per kind of file, through HTTP and in the domain, and what is still
  allocated after it once the collector ran; and the process's RSS (``VmRSS``) over thousands of
  POSTs to ``api-verify-file`` through Django's ``WSGIHandler`` (as a WSGI server calls it; the test
  client leaves ~1 KiB behind per request, see :func:`wsgi_posts`), after warm-up, read every 200
  checks. At the end: RSS after ``gc.collect()``
  and after glibc's ``malloc_trim(0)`` (free heap the allocator kept is not a leak), the change in
  Python's live blocks (``sys.getallocatedblocks()``) and in the bytes malloc has handed out and not
  had back (glibc's ``mallinfo2``), which fragmentation does not move.

Writes ``benchmarks/results-verify_file.md`` (or ``--output``) and prints it. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import hashlib
import io
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/verify_file.py`: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness
from benchmarks.memory import rss_mb, status_kb
from benchmarks.run import HERE, TIMES, Timing, _load, _progress, interleave, machine, write_report

RESULTS = HERE / "results-verify_file.md"
RAISED = "1000000/s"  # as benchmarks.load's raised runs: counted, never refused
BOUNDARY = "CertBenchFileBoundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
PYHANKO_LOGGER = "pyhanko.sign.validation.generic_cms"
# The verify-by-code anchors: a first visitor (the default cache emptied before the request, so the
# answer is built) and the same request repeated (a kept answer, where the verify path keeps them).
FIRST_JSON = "GET `api-verify` (verify by code, JSON), same certificate, cache emptied first"
REPEATED_JSON = "GET `api-verify` (verify by code, JSON), same certificate, repeated"


# --------------------------------------------------------------------------------------- set-up


def setup(var_dir: str) -> None:
    """The demo LMS on SQLite in ``var_dir``, the verify rate limit raised (still counted)."""
    harness.write_overlay(var_dir)
    env = harness.environment(var_dir, db="sqlite", db_name=str(Path(var_dir, "bench.sqlite3")),
                              CERT_BENCH_VERIFY_RATE=RAISED)
    harness.setup_django(env)


def code_state() -> str:
    """The commit measured, and whether the package or the demo had uncommitted changes."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # `git status` must not rewrite the index

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(HERE.parent), *args], capture_output=True, text=True,
                              check=True, env=env).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no", "--", "cert_plugin", "devhost")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    if not changed:
        return f"commit {commit}; `cert_plugin/` and `devhost/` as committed"
    return (f"commit {commit} with uncommitted changes to {len(changed.splitlines())} files under "
            "`cert_plugin/` and `devhost/`")


class LogSink(logging.Handler):
    """Formats every record (traceback included) the way a server's log handler would, writes nowhere."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.format(record)
        self.count += 1


@dataclass
class File:
    """One file dropped on the verify page."""

    key: str
    label: str
    content: bytes
    expected: str  # the check's status
    made: str  # how it was made
    answer: str = ""  # status and pdf_signature, as checked once before timing


def _altered(pdf: bytes) -> bytes:
    """The PDF with its title changed after signing: an incremental update, as an editor saves."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    info = writer.trailer["/Info"]
    info["/Title"] = generic.TextStringObject("Python for Data Analysis: someone else")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _jpeg() -> bytes:
    """A photo-like JPEG (gradients and noise, 900 x 675), about the size of the certificate's PNG."""
    from PIL import Image

    size = (900, 675)
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (gradient, Image.effect_noise(size, 30), gradient.rotate(90)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def make_files() -> tuple[Any, list[File]]:
    """Issue a certificate the way a learner earns it and collect the files to drop."""
    from django.test import Client
    from django.urls import reverse

    from benchmarks.run import _issue_certificate
    from cert_plugin.domain import files as domain_files
    from cert_plugin.models import Certificate, RenderedFile

    user, certificate = _issue_certificate()
    certificate = Certificate.objects.select_related("template_version").get(pk=certificate.pk)
    owner = Client()
    owner.force_login(user)

    def download(name: str, query: str = "") -> bytes:
        response = owner.get(reverse(f"cert_plugin:{name}", args=[certificate.formatted_code]) + query)
        if response.status_code != 200:
            raise RuntimeError(f"{name}{query} answered {response.status_code}")
        return response.getvalue()

    pdf = download("download-pdf")
    png = download("download-png")
    png_300 = download("download-png", "?dpi=300")
    resigned = domain_files._produce(certificate, RenderedFile.PDF)  # rendered and signed again, not stored
    if hashlib.sha256(resigned).digest() == hashlib.sha256(pdf).digest():
        raise RuntimeError("the PDF signed again is byte for byte the stored one")
    return certificate, [
        File("pdf", "PDF as downloaded", pdf, "valid",
             "`GET /certs/<code>.pdf` as the owner: the stored PDF/A-3b, PAdES-signed, `credential.jwt` "
             "attached"),
        File("png", "PNG as downloaded (150 dpi)", png, "valid",
             "`GET /certs/<code>.png` as the owner: the stored 150-dpi PNG, VC-JWT in an iTXt chunk"),
        File("png300", "PNG, 300 dpi", png_300, "valid", "`GET /certs/<code>.png?dpi=300` as the owner"),
        File("altered", "Altered PDF", _altered(pdf), "altered",
             "the downloaded PDF with its title changed after signing (pyHanko incremental update)"),
        File("resigned", "PDF signed here, not the stored file", resigned, "valid",
             "rendered and signed again (`files._produce`), not stored: no SHA-256 match, so the "
             "signer must be `PDF_SIGNING`'s certificate"),
        File("jpeg", "JPEG photo (no credential)", _jpeg(), "no_credential",
             "Pillow, 900 x 675, gradients and noise, quality 90"),
    ]


def multipart(item: File) -> bytes:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import encode_multipart

    name = {"jpeg": "photo.jpg"}.get(item.key, "certificate.png" if "png" in item.key else "certificate.pdf")
    upload = SimpleUploadedFile(name, item.content, content_type="application/octet-stream")
    return encode_multipart(BOUNDARY, {"file": upload})


# --------------------------------------------------------------------------------------- operations


@dataclass
class Op:
    """One timed operation: a label, the function, how many runs per round."""

    group: str
    label: str
    fn: Callable[[], Any]
    batch: int
    key: str = ""  # the file's key, for the memory table
    timing: Timing | None = None
    queries: int | None = None
    peaks: list[int] = field(default_factory=list)  # tracemalloc peak above the start, bytes
    retained: list[int] = field(default_factory=list)  # allocated and still held after the call


def http_ops(certificate: Any, items: list[File], *, expensive: int, cheap: int) -> list[Op]:
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    client = Client()
    code = certificate.formatted_code

    def poster(name: str, body: bytes) -> Callable[[], Any]:
        url = reverse(f"cert_plugin:{name}")

        def post() -> None:
            response = client.post(url, data=body, content_type=MULTIPART)
            if response.status_code != 200:
                raise RuntimeError(f"POST {url} answered {response.status_code}")
        return post

    def getter(url: str, status: int = 200) -> Callable[[], Any]:
        def get() -> None:
            if client.get(url).status_code != status:
                raise RuntimeError(f"GET {url} did not answer {status}")
        return get

    shown = [item for item in items if item.key in ("pdf", "png", "altered", "jpeg")]
    ops = []
    for endpoint, name in (("JSON", "api-verify-file"), ("HTML page", "verify-file")):
        for item in shown:
            batch = cheap if item.key in ("png", "jpeg") else expensive
            ops.append(Op(f"HTTP, {endpoint}", f"POST {item.label}", poster(name, multipart(item)), batch,
                          item.key))
    def first_visitor(get: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> None:
            cache.clear()  # LocMem: the verify answer a previous request kept (and the limiter's count)
            get()
        return run

    json_url = reverse("cert_plugin:api-verify", args=[code])
    page_url = reverse("cert_plugin:verify", args=[code])
    ops += [
        Op("HTTP anchors", FIRST_JSON, first_visitor(getter(json_url)), cheap),
        Op("HTTP anchors", "GET verify page by code, same certificate, cache emptied first",
           first_visitor(getter(page_url)), cheap),
        Op("HTTP anchors", REPEATED_JSON, getter(json_url), cheap),
        Op("HTTP anchors", "GET verify page by code, same certificate, repeated", getter(page_url), cheap),
        Op("HTTP anchors", "Test-client floor: GET of a path no URL matches (404 before any view)",
           getter("/bench-no-such-page/", 404), cheap),
    ]
    return ops


def domain_ops(certificate: Any, items: list[File], *, expensive: int, cheap: int) -> list[Op]:
    from cert_plugin import api

    def checker(item: File) -> Callable[[], Any]:
        def check() -> None:
            if api.check_file(item.content).status != item.expected:
                raise RuntimeError(f"{item.label}: not {item.expected}")
        return check

    ops = [Op("Domain", f"`api.check_file`: {item.label}", checker(item),
              cheap if item.key in ("png", "png300", "jpeg") else expensive, item.key) for item in items]
    code = certificate.verification_code
    ops.append(Op("Domain anchors", "`api.verify(code)` (verify by code), same certificate",
                  lambda: api.verify(code), cheap))
    return ops


def parts_ops(certificate: Any, items: list[File], *, expensive: int, cheap: int) -> list[Op]:
    """The parts of a check, one by one, and pyHanko's validation alone (the PDF anchor)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from cert_plugin.credentials import baking, openbadges, pades
    from cert_plugin.domain import file_check
    from cert_plugin.domain.open_badges import issuer_jwks

    by_key = {item.key: item.content for item in items}
    pdf, png = by_key["pdf"], by_key["png"]
    token = baking.pdf_credential(pdf)
    if token is None:
        raise RuntimeError("the downloaded PDF carries no credential")
    jwks = issuer_jwks()
    credential = openbadges.verify_vc_jwt(token, jwks, check_dates=False)

    def bare_pyhanko() -> None:
        signature = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures[-1]
        context = ValidationContext(trust_roots=[], allow_fetching=False, revocation_mode="soft-fail")
        status = validate_pdf_signature(signature, signer_validation_context=context, skip_diff=True)
        if not (status.intact and status.valid):
            raise RuntimeError("bare pyHanko: the signature does not validate")

    def silenced(fn: Callable[[], Any]) -> Callable[[], Any]:
        logger = logging.getLogger(PYHANKO_LOGGER)

        def run() -> None:
            logger.setLevel(logging.ERROR)
            try:
                fn()
            finally:
                logger.setLevel(logging.NOTSET)
        return run

    def check_pdf() -> None:
        file_check.check_file(pdf)

    return [
        Op("PDF anchors", "pyHanko alone: `PdfFileReader` + `validate_pdf_signature(skip_diff=True)`",
           bare_pyhanko, expensive),
        Op("PDF anchors", "SHA-256 of the PDF's bytes", lambda: hashlib.sha256(pdf).digest(), cheap),
        Op("Parts", "PDF: find `credential.jwt` (`baking.pdf_credential`, parses the PDF)",
           lambda: baking.pdf_credential(pdf), expensive),
        Op("Parts", "PDF: signature status (`pades.signature_status`, parses the PDF again, validates)",
           lambda: pades.signature_status(pdf, certificate_pem=None), expensive),
        Op("Parts", "PDF: `api.check_file` with pyHanko's per-check warning silenced", silenced(check_pdf),
           expensive),
        Op("Parts", "PNG: find the iTXt credential (`baking.png_credential`)",
           lambda: baking.png_credential(png), cheap),
        Op("Parts", "SHA-256 of the PNG's bytes", lambda: hashlib.sha256(png).digest(), cheap),
        Op("Parts", "Both: the issuer's keys (`issuer_jwks()`, 1 query)", issuer_jwks, cheap),
        Op("Parts", "Both: verify the VC-JWT (`openbadges.verify_vc_jwt`, keys already read)",
           lambda: openbadges.verify_vc_jwt(token, jwks, check_dates=False), cheap),
        Op("Parts", "Both: the certificate it names (`_certificate_of`, 1 query)",
           lambda: file_check._certificate_of(credential), cheap),
        Op("Parts", "PDF: is it the stored file (`_rendered_here`: SHA-256 + 1 query)",
           lambda: file_check._rendered_here(certificate, pdf), cheap),
    ]


# --------------------------------------------------------------------------------------- measuring


def time_ops(ops: list[Op], rounds: int) -> None:
    timings = interleave([(op.fn, op.batch) for op in ops], rounds=rounds, warmup=3)
    for op, timing in zip(ops, timings, strict=True):
        op.timing = timing


def count_queries(ops: list[Op]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for op in ops:
        op.fn()  # the state a run of the same operation leaves (e.g. a kept verify answer)
        with CaptureQueriesContext(connection) as captured:
            op.fn()
        op.queries = len(captured.captured_queries)


def trace_memory(ops: list[Op], repeats: int) -> None:
    """tracemalloc's peak during each call above what was allocated just before it, and what is still
    allocated after it once the collector has run (a call's cyclic garbage is not a leak)."""
    for op in ops:
        op.fn()  # warm
    tracemalloc.start(1)
    try:
        for _ in range(repeats):
            for op in ops:
                gc.collect()
                before = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                op.fn()
                peak = tracemalloc.get_traced_memory()[1]
                gc.collect()
                op.peaks.append(peak - before)
                op.retained.append(tracemalloc.get_traced_memory()[0] - before)
    finally:
        tracemalloc.stop()


@dataclass
class RssRun:
    checks: int
    curve: list[tuple[int, float, float | None]]  # (checks done, RSS MB, malloc in use MB)
    start: float
    warm: float
    end: float
    end_collected: float
    trimmed: float | None  # after glibc's malloc_trim(0): what the allocator kept but nobody uses
    peak: float
    seconds: float
    blocks_warm: int  # sys.getallocatedblocks(): live Python objects' blocks, after a collection
    blocks_end: int
    in_use_warm: float | None  # malloc's bytes in use (MB), after a collection
    in_use_end: float | None


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
        "keepcost")]


def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def malloc_in_use() -> float | None:
    """MB that glibc's malloc has handed out and not had back (``mallinfo2``: ``uordblks`` + ``hblkhd``).

    Unlike RSS it does not count free memory the allocator keeps (fragmentation), so it only grows
    when something keeps what it allocated, in Python or in a C library. None without glibc 2.33+.
    """
    libc = _libc()
    function = getattr(libc, "mallinfo2", None)
    if function is None:
        return None
    function.restype = _MallInfo2
    info = function()
    return float(info.uordblks + info.hblkhd) / (1024 * 1024)


def malloc_trim() -> bool:
    """Ask glibc to give free heap memory back to the system; False where there is no glibc."""
    libc = _libc()
    if getattr(libc, "malloc_trim", None) is None:
        return False
    libc.malloc_trim(0)
    return True


def wsgi_posts(items: list[File]) -> list[Callable[[], Any]]:
    """POST each file to ``api-verify-file`` through Django's WSGI handler, as a WSGI server calls it.

    Not the test client: its every request connects and disconnects ``close_old_connections``
    from Django's request signals, and each connection leaves a ``weakref.finalize`` entry behind
    (about 1 KiB per request, never freed), which would read as a leak of the plugin's.
    """
    from django.core.handlers.wsgi import WSGIHandler
    from django.urls import reverse

    handler = WSGIHandler()
    path = reverse("cert_plugin:api-verify-file")

    def poster(body: bytes) -> Callable[[], Any]:
        def post() -> None:
            environ = {
                "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
                "CONTENT_TYPE": MULTIPART, "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": "testserver",
                "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
                "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
                "wsgi.run_once": False,
            }
            statuses: list[str] = []
            response = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
            try:
                b"".join(response)
            finally:
                response.close()  # request_finished: what a WSGI server does after the last byte
            if not statuses or not statuses[0].startswith("200"):
                raise RuntimeError(f"POST {path} through WSGIHandler answered {statuses}")
        return post

    return [poster(multipart(item)) for item in items]


def rss_over_checks(posts: list[Callable[[], Any]], total: int, warmup: int, every: int) -> RssRun:
    """Run ``posts`` in turn until ``total`` checks are done; RSS after warm-up and every ``every``."""
    gc.collect()
    start = rss_mb()
    curve: list[tuple[int, float, float | None]] = [(0, start, malloc_in_use())]
    warm, blocks_warm, in_use_warm = start, sys.getallocatedblocks(), malloc_in_use()
    began = time.perf_counter()
    for done in range(1, total + 1):
        posts[done % len(posts)]()
        if done == warmup:
            warm = rss_mb()
            curve.append((done, warm, malloc_in_use()))
            gc.collect()
            blocks_warm, in_use_warm = sys.getallocatedblocks(), malloc_in_use()
        elif done % every == 0 or done == total:
            curve.append((done, rss_mb(), malloc_in_use()))
            if done % (4 * every) == 0:
                _progress(f"    {done:,} checks, RSS {curve[-1][1]:.1f} MB")
    seconds = time.perf_counter() - began
    end = rss_mb()
    gc.collect()
    collected, blocks_end, in_use_end = rss_mb(), sys.getallocatedblocks(), malloc_in_use()
    trimmed = rss_mb() if malloc_trim() else None
    return RssRun(total, curve, start, warm, end, collected, trimmed, status_kb("VmHWM") / 1024, seconds,
                  blocks_warm, blocks_end, in_use_warm, in_use_end)


def _last_quarter(rss: RssRun) -> float:
    """RSS growth over the last quarter of the checks: ~0 when the curve has levelled off."""
    after = [(n, mb) for n, mb, _ in rss.curve if n >= rss.checks * 3 // 4]
    return after[-1][1] - after[0][1] if len(after) >= 2 else 0.0


# --------------------------------------------------------------------------------------- report


def percentiles(timing: Timing) -> tuple[float, float, float]:
    samples = timing.samples
    if len(samples) < 2:
        return samples[0], samples[0], samples[0]
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[89], cuts[98]


def _ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.{3 if value < 1 else 2 if value < 10 else 1}f}"


def _kib(size: float) -> str:
    return f"{size / 1024:,.1f} KiB"


def _p(op: Op) -> tuple[float, float, float]:
    assert op.timing is not None
    return percentiles(op.timing)


def markdown(*, info: list[tuple[str, str]], items: list[File], http: list[Op], domain: list[Op],
             parts: list[Op], rss: RssRun, rss_warmup: int, sink: LogSink, pdf_checks_logged: int,
             elapsed: float, rounds: int, trace_repeats: int) -> str:
    by_key = {item.key: item for item in items}
    ops = {op.label: op for op in http + domain + parts}
    intro = ("Time and memory of one check of a dropped certificate file (issue 16, last item): "
             "`POST /certs/api/v1/verify/file/` (JSON) and `POST /certs/verify/file/` (the page) through "
             "Django's test client, in process, and `api.check_file` alone; anchors measured in the same "
             "run. Figures are reported, never asserted; see `benchmarks/README.md`.")
    lines = ["# Checking a certificate by its file (`python -m benchmarks.verify_file`)", "", intro, ""]
    lines += [f"- **{key}**: {value}" for key, value in info]
    lines += [(f"- **Run**: {elapsed:.0f} s, {rounds} rounds (PDF-sized operations 4 runs per round, "
               f"the cheap ones 10); load average at the end {_load()}"), ""]

    # Summary: the issue's row.
    http_json = [op for op in http if op.group == "HTTP, JSON"]
    by_file_json = {op.key: op for op in http_json}
    anchor_json, repeated_json = ops[FIRST_JSON], ops[REPEATED_JSON]
    bare = ops["pyHanko alone: `PdfFileReader` + `validate_pdf_signature(skip_diff=True)`"]
    lines += ["## Summary", "",
              ("| File | Size | JSON: p50 (p90, p99) | HTML page: p50 (p99) | `api.check_file`: p50 (p99) "
               "| Anchor, same run: p50 | Peak Python memory per request (JSON) |"),
              "|---|---|---|---|---|---|---|"]
    html_by_key = {op.key: op for op in http if op.group == "HTTP, HTML page"}
    domain_by_key = {op.key: op for op in domain if op.key}
    for key in ("pdf", "png", "altered", "jpeg"):
        item, op = by_key[key], by_file_json[key]
        p50, p90, p99 = _p(op)
        h50, _, h99 = _p(html_by_key[key])
        d50, _, d99 = _p(domain_by_key[key])
        if key in ("pdf", "altered"):
            anchor = (f"pyHanko's validation alone {_ms(_p(bare)[0])} ms; verify by code (JSON) "
                      f"{_ms(_p(anchor_json)[0])} ms, repeated {_ms(_p(repeated_json)[0])} ms")
        else:
            anchor = (f"verify by code (JSON) {_ms(_p(anchor_json)[0])} ms, repeated "
                      f"{_ms(_p(repeated_json)[0])} ms")
        lines.append(f"| {item.label} | {_kib(len(item.content))} | {_ms(p50)} ms ({_ms(p90)}, {_ms(p99)}) "
                     f"| {_ms(h50)} ms ({_ms(h99)}) | {_ms(d50)} ms ({_ms(d99)}) | {anchor} "
                     f"| {_mb(statistics.median(op.peaks))} |")
    pdf50, png50, jpeg50 = (_p(by_file_json[key])[0] for key in ("pdf", "png", "jpeg"))
    code50, vs_bare = _p(anchor_json)[0], _p(domain_by_key["pdf"])[0] / _p(bare)[0]
    summary = (f"Through JSON a PDF check costs {pdf50 / code50:.1f}{TIMES} a verify by code that builds "
               "its answer (a first visitor); in the "
               f"domain `api.check_file` of the PDF is {vs_bare:.2f}{TIMES} "
               "pyHanko's validation alone of the same file (the library call no PDF check can skip). A PNG "
               f"check costs {png50 / code50:.1f}{TIMES} that verify by code, of which {_ms(jpeg50)} ms is "
               "receiving and answering an upload of that size (the JPEG, which carries nothing to check). "
               f"RSS over {rss.checks:,} POSTs through Django's WSGI handler (PDF and PNG alternately, "
               f"after {rss_warmup} "
               f"warm-up checks): {rss.end - rss.warm:+.1f} MB ({rss.warm:.1f} to {rss.end:.1f} MB; last "
               f"quarter of the run {_last_quarter(rss):+.1f} MB)"
               + ("" if rss.trimmed is None else
                  f", {rss.trimmed - rss.warm:+.1f} MB once glibc's `malloc_trim(0)` returned the free heap")
               + f"; Python's live blocks {rss.blocks_end - rss.blocks_warm:+,}"
               + ("" if rss.in_use_warm is None or rss.in_use_end is None else
                  f"; malloc's bytes in use {rss.in_use_end - rss.in_use_warm:+.1f} MB "
                  f"({rss.in_use_warm:.1f} to {rss.in_use_end:.1f} MB)")
               + ".")
    lines += ["", summary, ""]

    lines += ["## Files", "", "| File | Size | How it was made | `check_file` says |", "|---|---|---|---|"]
    lines += [f"| {item.label} | {_kib(len(item.content))} ({len(item.content):,} bytes) | {item.made} "
              f"| {item.answer} |" for item in items]

    lines += ["", "## Time per check", "",
              "| Path | What | p50 | p90 | p99 | Samples | SQL queries |", "|---|---|---|---|---|---|---|"]
    for op in http + domain + [op for op in parts if op.group == "PDF anchors"]:
        p50, p90, p99 = _p(op)
        assert op.timing is not None
        lines.append(f"| {op.group} | {op.label} | {_ms(p50)} ms | {_ms(p90)} ms | {_ms(p99)} ms "
                     f"| {len(op.timing.samples)} | {op.queries if op.queries is not None else '—'} |")

    lines += ["", "## Where the time of a check goes (`api.check_file`, its parts timed one by one)", "",
              "| Part | p50 | p90 | SQL queries |", "|---|---|---|---|"]
    for op in parts:
        if op.group != "Parts":
            continue
        p50, p90, _ = _p(op)
        lines.append(f"| {op.label} | {_ms(p50)} ms | {_ms(p90)} ms "
                     f"| {op.queries if op.queries is not None else '—'} |")

    how = ("Peak of Python allocations during one check above what was allocated just before it "
           "(the request body and the answer included; C libraries' own allocations are not "
           "traced), and what was still allocated after it once `gc.collect()` had run.")
    lines += ["", f"## Memory per check (tracemalloc, {trace_repeats} checks of each kind)", "", how, "",
              "| Path | What | File size | Peak: median | Peak: max | Still allocated after `gc.collect()` |",
              "|---|---|---|---|---|---|"]
    for op in http + domain:
        if not op.peaks:
            continue
        size = _kib(len(by_key[op.key].content)) if op.key else "—"
        lines.append(f"| {op.group} | {op.label} | {size} | {_mb(statistics.median(op.peaks))} "
                     f"| {_mb(max(op.peaks))} | {_signed_kib(statistics.median(op.retained))} |")

    trend = harness.slope(rss.curve, warmup=rss_warmup, per=1000)
    trimmed = ("" if rss.trimmed is None else
               f"; then {rss.trimmed:.1f} MB after glibc's `malloc_trim(0)` "
               f"({rss.trimmed - rss.warm:+.1f} MB against the warm figure)")
    curve = (f"Start {rss.start:.1f} MB; after {rss_warmup} warm-up checks {rss.warm:.1f} MB; end "
             f"{rss.end:.1f} MB ({rss.end_collected:.1f} MB after `gc.collect()`{trimmed}); peak (VmHWM) "
             f"{rss.peak:.1f} MB; growth after warm-up {rss.end - rss.warm:+.1f} MB; fitted slope "
             f"{trend:+.2f} MB per 1,000 checks; {rss.seconds:.0f} s. Python's "
             f"allocated blocks (`sys.getallocatedblocks()`, after a collection): {rss.blocks_warm:,} after "
             f"the warm-up, {rss.blocks_end:,} at the end ({rss.blocks_end - rss.blocks_warm:+,})."
             + ("" if rss.in_use_warm is None or rss.in_use_end is None else
                f" Bytes glibc's malloc has handed out and not had back (`mallinfo2()`: `uordblks` + "
                f"`hblkhd`, after a collection): {rss.in_use_warm:.1f} MB after the warm-up, "
                f"{rss.in_use_end:.1f} MB at the end ({rss.in_use_end - rss.in_use_warm:+.1f} MB); RSS "
                "growing while this stays level is free memory the allocator keeps, not a leak. The "
                "curve's points are read without forcing a collection, as a server runs: objects in "
                "reference cycles (pyHanko's parsed PDFs) wait for the collector there, so the bytes in use "
                "rise between its full collections and fall back after them."))
    heading = f"## RSS over {rss.checks:,} checks: POST to `api-verify-file` through `WSGIHandler`"
    lines += ["", heading + ", PDF and PNG alternately", "",
              curve, "", "| Checks | RSS | malloc in use (`mallinfo2`) |", "|---|---|---|"]
    lines += [f"| {n:,} | {mb:.1f} MB | {'—' if in_use is None else f'{in_use:.1f} MB'} |"
              for n, mb, in_use in rss.curve]

    lines += ["", "## Notes", ""]
    lines.append(f"- **pyHanko logs a WARNING with a traceback on every PDF check**: the signature is "
                 f"validated with no trust roots (`pades.signature_status` answers from `intact`, `valid` "
                 f"and coverage, and compares the signer with `PDF_SIGNING`'s certificate itself), so "
                 f"pyHanko's certificate-path check fails and `{PYHANKO_LOGGER}` logs \"Validation "
                 f"error ... The X.509 certificate provided is self-signed\" with `exc_info`. This run "
                 f"formats each record into a handler that writes nowhere (a server's log handler would "
                 f"format and write it): {sink.count:,} records over the run, {pdf_checks_logged} for one "
                 f"check of the downloaded PDF. The parts table times a PDF check with that logger "
                 f"silenced.")
    lines.append("- The request body is encoded once before timing (`encode_multipart`), so the figures "
                 "leave out the test client's own encoding; they include the client's request set-up, "
                 "all middleware, the rate limiter (LocMem cache, counted), reading the upload into memory "
                 "(`views.file_upload`), the check and the answer. No network, no connection set-up "
                 "(the test client keeps its SQLite connection).")
    lines.append("- Peak memory through HTTP includes the test client's copy of the body (`FakePayload`), "
                 "the upload reader's buffer and the bytes taken from it: a few times the file's size.")
    lines.append("- The RSS run calls Django's `WSGIHandler` with a WSGI environ, as gunicorn does, not the "
                 "test client: the test client connects and disconnects `close_old_connections` from the "
                 "request signals around every request, and each connection leaves a `weakref.finalize` "
                 "entry behind (about 1 KiB per request, never freed): over thousands of requests that "
                 "reads as a leak that is not the plugin's. Through the handler each request also ends "
                 "with `request_finished`, which closes the database connection (the demo's "
                 "`CONN_MAX_AGE`), as on a server.")
    lines.append("- Queries are counted on the second of two runs of each kind in a row "
                 "(`CaptureQueriesContext`); the verify rate limit is "
                 f"raised to {RAISED} through `CERT_BENCH_VERIFY_RATE` (as `benchmarks.load` does), so no "
                 "request answers 429.")
    lines.append("")
    return "\n".join(lines)


def _mb(size: float) -> str:
    return f"{size / (1024 * 1024):.2f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.0f} KiB"


def _signed_kib(size: float) -> str:
    return f"{size / 1024:+,.1f} KiB"


# --------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.verify_file",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds and checks: a smoke test")
    parser.add_argument("--rounds", type=int, default=50,
                        help="timed rounds (default 50: 200 samples of a PDF check, 500 of a cheap one)")
    parser.add_argument("--checks", type=int, default=3000,
                        help="checks through HTTP for the RSS curve (default 3,000)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file to write")
    args = parser.parse_args(argv)
    rounds = 6 if args.quick else max(3, args.rounds)
    checks = 200 if args.quick else max(100, args.checks)
    trace_repeats = 3 if args.quick else 10
    rss_warmup, rss_every = (20, 50) if args.quick else (100, 200)
    expensive, cheap = 4, 10

    started = time.perf_counter()
    var_dir = tempfile.mkdtemp(prefix="cert-plugin-bench-file-")
    sink = LogSink()
    pyhanko_logger = logging.getLogger("pyhanko")
    pyhanko_logger.addHandler(sink)
    pyhanko_logger.propagate = False  # the sink stands for the server's handler; nothing on stderr
    try:
        _progress(f"Setting up the demo LMS on SQLite in {var_dir} ...")
        setup(var_dir)
        info = [*machine(), ("Code", code_state())]
        _progress("Issuing a certificate and downloading its files")
        certificate, items = make_files()
        from cert_plugin import api

        for item in items:
            check = api.check_file(item.content)
            item.answer = f"`{check.status}`, PDF signature `{check.pdf_signature}`"
            if check.status != item.expected:
                raise RuntimeError(f"{item.label}: expected {item.expected}, got {check.status}")
            _progress(f"    {item.label}: {len(item.content):,} bytes, {check.status}")
        before = sink.count
        api.check_file(items[0].content)
        pdf_checks_logged = sink.count - before

        http = http_ops(certificate, items, expensive=expensive, cheap=cheap)
        domain = domain_ops(certificate, items, expensive=expensive, cheap=cheap)
        parts = parts_ops(certificate, items, expensive=expensive, cheap=cheap)
        _progress(f"Timing {len(http)} HTTP operations, {rounds} rounds")
        time_ops(http, rounds)
        _progress(f"Timing {len(domain) + len(parts)} domain operations and parts, {rounds} rounds")
        time_ops(domain + parts, rounds)
        for op in http + domain + parts:
            p50, _, p99 = _p(op)
            _progress(f"    {op.group} | {op.label}: p50 {_ms(p50)} ms, p99 {_ms(p99)} ms")
        count_queries(http + domain + parts)
        _progress(f"Memory: tracemalloc, {trace_repeats} checks of each kind")
        trace_memory([op for op in http if op.key] + [op for op in domain if op.key], trace_repeats)
        by_key = {item.key: item for item in items}
        _progress(f"Memory: RSS over {checks:,} checks through Django's WSGI handler")
        rss = rss_over_checks(wsgi_posts([by_key["pdf"], by_key["png"]]), checks, rss_warmup, rss_every)
        text = markdown(info=info, items=items, http=http, domain=domain, parts=parts, rss=rss,
                        rss_warmup=rss_warmup, sink=sink, pdf_checks_logged=pdf_checks_logged,
                        elapsed=time.perf_counter() - started, rounds=rounds, trace_repeats=trace_repeats)
    finally:
        pyhanko_logger.removeHandler(sink)
        pyhanko_logger.propagate = True
        shutil.rmtree(var_dir, ignore_errors=True)
    return write_report(args.output, text)


if __name__ == "__main__":
    raise SystemExit(main())
