"""The benchmark runner: ``python -m benchmarks`` or ``python benchmarks/run.py``.

Every figure is the median (and p90) of repeated runs after warm-up, measured in the same
process as its baseline, with the two interleaved (ours, baseline, ours, baseline...) so that a
noisy neighbour slows both alike. Results are printed as a Markdown table and written to
``benchmarks/results.md``. Nothing is asserted: a ratio over its target is reported, not failed.

The run uses the demo LMS (``devhost.settings``) on a fresh SQLite database in a temporary
directory, with tasks run in process; it never touches ``var/`` or a configured server database.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import gc
import hashlib
import io
import json
import logging
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/run.py`: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HERE = Path(__file__).resolve().parent
TIMES = "\N{MULTIPLICATION SIGN}"
RESULTS = HERE / "results.md"

# --------------------------------------------------------------------------------------- timing


@dataclass
class Timing:
    """Wall-clock samples of one operation, in seconds."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p90(self) -> float:
        if len(self.samples) < 2:
            return self.samples[0]
        return statistics.quantiles(self.samples, n=10, method="inclusive")[-1]


def _once(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(fn: Callable[[], Any], *, repeat: int, batch: int = 1, warmup: int = 2) -> Timing:
    """``repeat`` rounds of ``batch`` timed runs each (see :func:`interleave`)."""
    [timing] = interleave([(fn, batch)], rounds=repeat, warmup=warmup)
    return timing


def compare(ours: Callable[[], Any], baseline: Callable[[], Any], *, repeat: int, batch: int = 1,
            warmup: int = 2) -> tuple[Timing, Timing]:
    """Both operations, warmed up, then timed in alternation: ``repeat`` rounds of ``batch`` runs each."""
    ours_t, base_t = interleave([(ours, batch), (baseline, batch)], rounds=repeat, warmup=warmup)
    return ours_t, base_t


def interleave(operations: list[tuple[Callable[[], Any], int]], *, rounds: int,
               warmup: int = 2) -> list[Timing]:
    """Time several operations in the same rounds: each round runs operation i ``count_i`` times.

    The order rotates from round to round, so that no operation always runs first (right after
    a collection) or right after an expensive one; a noisy neighbour slows every operation alike.
    """
    for fn, _count in operations:
        for _ in range(warmup):
            fn()
    samples: list[list[float]] = [[] for _ in operations]
    for i in range(rounds):
        # Each round starts from a collected heap; the collector stays on while timing, as in
        # production (a full collection of this process's heap takes tens of milliseconds, so it
        # runs once per round, not before every sample).
        gc.collect()
        for j in range(len(operations)):
            index = (i + j) % len(operations)
            fn, count = operations[index]
            samples[index].extend(_once(fn) for _ in range(count))
    return [Timing(values) for values in samples]


# --------------------------------------------------------------------------------------- results


@dataclass
class Row:
    """One line of the results table."""

    section: str
    name: str
    ours: Timing
    baseline: Timing | None = None
    baseline_name: str = ""
    # "ratio": ours / baseline must be <= target; "speedup": baseline / ours must be >= target;
    # "absolute": ours' median must be <= target seconds; "": informational.
    kind: str = ""
    target: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline is None:
            return None
        if self.kind == "speedup":
            return self.baseline.median / self.ours.median
        return self.ours.median / self.baseline.median

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.kind == "ratio":
            return self.ratio is not None and self.ratio <= self.target
        if self.kind == "speedup":
            return self.ratio is not None and self.ratio >= self.target
        if self.kind == "absolute":
            return self.ours.median <= self.target
        return None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    sizes: list[tuple[str, str, int]] = field(default_factory=list)  # (template, file, bytes)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        base = ""
        if row.baseline is not None:
            base = f" | baseline {_ms(row.baseline)} | ratio {_ratio(row)}"
        _progress(f"    {row.name}: {_ms(row.ours)}{base}")
        return row


def _ms(timing: Timing) -> str:
    median, p90 = timing.median * 1000, timing.p90 * 1000
    digits = 3 if median < 1 else 2 if median < 10 else 1
    return f"{median:.{digits}f} ms (p90 {p90:.{digits}f})"


def _ratio(row: Row) -> str:
    ratio = row.ratio
    if ratio is None:
        return "—"
    digits = 0 if ratio >= 100 else 2 if ratio < 10 else 1
    return f"{ratio:.{digits}f}{TIMES}"


def _target(row: Row) -> str:
    if row.target is None:
        return "—"
    if row.kind == "ratio":
        return f"≤ {row.target:g}{TIMES}"
    if row.kind == "speedup":
        return f"≥ {row.target:g}{TIMES} faster"
    return f"≤ {row.target * 1000:g} ms"


def _met(row: Row) -> str:
    return {True: "yes", False: "**NO**", None: "—"}[row.met]


_STARTED = time.perf_counter()


def _progress(message: str) -> None:
    sys.stderr.write(f"{time.perf_counter() - _STARTED:5.0f}s  {message}\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------------------- machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _harfbuzz_version() -> str:
    try:
        library = ctypes.CDLL("libharfbuzz.so.0")
        library.hb_version_string.restype = ctypes.c_char_p
        return library.hb_version_string().decode("ascii")
    except (OSError, AttributeError):
        return "unknown"


def font_subsetting() -> tuple[str, str]:
    """Which font-subsetting path WeasyPrint takes here, decided the way WeasyPrint decides.

    WeasyPrint 70 (``weasyprint/pdf/fonts.py``, ``Font.subset``) uses HarfBuzz-Subset when
    ``weasyprint.text.ffi.harfbuzz_subset`` loaded (``libharfbuzz-subset0`` on Debian) and
    HarfBuzz is at least 4.1.0; otherwise it falls back to fontTools (several times slower).
    """
    from weasyprint.text import ffi

    loaded = getattr(ffi, "harfbuzz_subset", None) is not None
    recent = bool(ffi.harfbuzz.hb_version_atleast(4, 1, 0))
    version = _harfbuzz_version()
    if loaded and recent:
        return "HarfBuzz-Subset", f"libharfbuzz-subset loaded, HarfBuzz {version} (≥ 4.1.0)"
    why = "libharfbuzz-subset not found" if not loaded else f"HarfBuzz {version} is older than 4.1.0"
    return "fontTools (fallback)", f"{why}; install libharfbuzz-subset0 (Debian) for ~6{TIMES} faster PDFs"


class _FontToolsWarnings(logging.Handler):
    """Counts WeasyPrint's 'Using fontTools instead of HarfBuzz-Subset' warnings (the path really taken)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "Using fontTools instead of HarfBuzz-Subset" in record.getMessage():
            self.count += 1


def _load() -> str:
    try:
        return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "unknown"


def machine() -> list[tuple[str, str]]:
    path, why = font_subsetting()
    load = _load()
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 0
    import pypdfium2.version

    return [
        ("Date", dt.datetime.now(dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("Machine", f"{cpus} CPUs (nproc), {_cpu_model()}; load average at start {load}"),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("WeasyPrint", _version("weasyprint")),
        ("pydyf", _version("pydyf")),
        ("pypdfium2", f"{_version('pypdfium2')} (pdfium {pypdfium2.version.PDFIUM_INFO})"),
        ("pyHanko", _version("pyHanko")),
        ("Pillow / cryptography / Django", " / ".join(
            _version(name) for name in ("pillow", "cryptography", "django"))),
        ("Font subsetting", f"**{path}**: {why}"),
    ]


# --------------------------------------------------------------------------------------- Django


def setup_django(var_dir: str, *, database: str = "sqlite", name: str | None = None) -> None:
    """The demo LMS on a fresh SQLite database in ``var_dir``; tasks run in process.

    ``database`` ("mysql", "postgres") and ``name`` select an existing, empty server database
    instead (the caller creates and drops it); keys and files still go to ``var_dir``.
    """
    os.environ["DEVHOST_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "devhost.settings"
    os.environ["CERT_PLUGIN_DB"] = database
    os.environ["DEVHOST_DEBUG"] = "0"
    for variable in ("CERT_PLUGIN_DB_NAME", "CERT_PLUGIN_CELERY", "CELERY_BROKER_URL",
                     "CELERY_RESULT_BACKEND"):
        os.environ.pop(variable, None)
    if name is not None:
        os.environ["CERT_PLUGIN_DB_NAME"] = name

    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment(debug=False)  # test client host, in-memory mail, no query log
    logging.getLogger("cert_plugin").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0, interactive=False)


# --------------------------------------------------------------------------------------- sections


@dataclass
class Rendered:
    """A built-in template rendered by our path (PDF/A-3b, unsigned)."""

    name: str
    orientation: str
    document: str  # the final HTML document
    pdf: bytes


def _document(template: Any) -> tuple[str, dict[str, Any]]:
    from cert_plugin.rendering.base import Asset
    from cert_plugin.rendering.context import sample_context

    context = sample_context(asset_names=template.assets, options=template.options)
    assets = {name: Asset(content, mime) for name, (content, mime) in template.assets.items()}
    return context, assets


def _render_document(template: Any, context: dict[str, Any]) -> str:
    from cert_plugin.rendering.html import render_document

    return render_document(
        template.html, template.css, context, orientation=template.orientation,
        title=f"{context['course_title']}: {context['learner_name']}", author=context["issuer_name"],
        subject=f"Certificate of completion of {context['course_title']}",
        keywords=["certificate", context["issuer_name"], context["course_key"], context["verification_code"]],
        created=dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC), lang="en")


def bench_pdf(report: Report, repeat: int) -> list[Rendered]:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from cert_plugin.rendering.builtin import builtin_templates
    from cert_plugin.rendering.pdf import render_pdf

    templates = builtin_templates()
    default = templates[0]
    _progress(f"[1/5] PDF: {default.name}, our path vs bare WeasyPrint ({repeat} runs each)")
    context, assets = _document(default)
    document = _render_document(default, context)
    shared_fonts = FontConfiguration()
    for variant in (None, "pdf/a-3b"):
        def ours(variant: str | None = variant) -> bytes:
            return render_pdf(_render_document(default, context), assets=assets, pdf_variant=variant)

        # The same work as ours: our PDFs are tagged for screen readers (pdf_tags), so the bare one is.
        def bare(variant: str | None = variant) -> bytes:
            return HTML(string=document).write_pdf(pdf_variant=variant, pdf_tags=True)

        def bare_shared(variant: str | None = variant) -> bytes:
            return HTML(string=document).write_pdf(pdf_variant=variant, pdf_tags=True,
                                                   font_config=shared_fonts)

        label = variant or "plain PDF"
        ours_pdf, bare_pdf = ours(), bare()
        report.notes.append(f"Default template, {label}: our PDF {len(ours_pdf):,} bytes, "
                            f"bare WeasyPrint {len(bare_pdf):,} bytes.")
        ours_t, bare_t, shared_t = interleave([(ours, 1), (bare, 1), (bare_shared, 1)], rounds=repeat)
        report.add(Row("1. PDF render", f"Default template → PDF ({label})", ours_t, bare_t,
                       f"`HTML(string=doc).write_pdf(pdf_variant={variant!r}, pdf_tags=True)`", "ratio",
                       1.15))
        report.add(Row("1. PDF render", f"Default template → PDF ({label}), stricter baseline", ours_t,
                       shared_t, "the same, with one `FontConfiguration()` kept across renders",
                       "ratio", 1.15))
    report.add(Row("1. PDF render", "Template context (`sample_context`, incl. QR SVG)",
                   measure(lambda: _document(default), repeat=repeat, batch=2)))

    rendered = []
    for template in templates:
        context, assets = _document(template)
        document = _render_document(template, context)
        rendered.append(Rendered(template.name, template.orientation, document,
                                 render_pdf(document, assets=assets)))
    return rendered


def bench_png(report: Report, pdf: bytes, repeat: int) -> None:
    import pypdfium2
    from PIL import Image

    from cert_plugin.rendering.png import pdf_to_png

    def bare_png(dpi: int) -> bytes:
        document = pypdfium2.PdfDocument(pdf)
        page = document[0]
        image = page.render(scale=dpi / 72).to_pil()
        page.close()
        document.close()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    for dpi, runs in ((150, repeat), (300, max(5, repeat * 2 // 3))):
        _progress(f"[2/5] PNG at {dpi} dpi: pdf_to_png vs bare pypdfium2 + Pillow ({runs} runs each)")
        ours_png, base_png = pdf_to_png(pdf, dpi=dpi), bare_png(dpi)
        with Image.open(io.BytesIO(ours_png)) as image:
            size = f"{image.width}{TIMES}{image.height}"
        report.notes.append(f"PNG {dpi} dpi ({size}): ours {len(ours_png):,} bytes, "
                            f"bare Pillow default {len(base_png):,} bytes "
                            f"({len(ours_png) / len(base_png) - 1:+.1%}).")
        ours_t, base_t = compare(lambda dpi=dpi: pdf_to_png(pdf, dpi=dpi), lambda dpi=dpi: bare_png(dpi),
                                 repeat=runs, warmup=1)
        report.add(Row("2. PNG", f"PDF → PNG, {dpi} dpi", ours_t, base_t,
                       f"pypdfium2 `render(scale={dpi}/72)` + Pillow `save(format='PNG')`", "ratio", 1.1))


def bench_signing(report: Report, pdf: bytes, var_dir: str, repeat: int) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from cert_plugin.credentials import keys, pades, signing

    _progress("[3/5] Signing: Ed25519 snapshot signature and PAdES")
    pem = keys.generate_ed25519_pem()
    public_pem = signing.public_key_pem(pem)
    payload = {  # shaped like cert_plugin.api.signature_payload
        "code": "7K3M9QXP2D4F8HJW",
        "learner_name": "María José García López",
        "course_key": "course-v1:Northwind+PY101+2026",
        "course_title": "Python for Data Analysis",
        "hours": "12.00",
        "grade": "0.9200",
        "issued_at": "2026-11-24T10:00:00Z",
        "expires_at": "2028-11-23T10:00:00Z",
        "template_digest": hashlib.sha256(b"builtin landscape template").hexdigest(),
        "issuer": "Northwind Institute of Technology",
        "revision": 1,
    }
    private_key = signing.load_private_key(pem)  # loaded once, as a bare caller would keep it
    public_key = private_key.public_key()

    def bare_bytes() -> bytes:
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    signature = signing.sign(payload, pem)
    assert signing.verify(payload, signature.value, public_pem)
    raw = private_key.sign(bare_bytes())
    ours_t, base_t = compare(lambda: signing.sign(payload, pem),
                             lambda: private_key.sign(bare_bytes()),
                             repeat=repeat, batch=20, warmup=10)
    report.add(Row("3. Signing", "Ed25519 snapshot signature (`signing.sign`)", ours_t, base_t,
                   "cryptography `key.sign(json.dumps(sorted, compact))`, key loaded once",
                   "absolute", 0.040))
    ours_t, base_t = compare(lambda: signing.verify(payload, signature.value, public_pem),
                             lambda: public_key.verify(raw, bare_bytes()),
                             repeat=repeat, batch=20, warmup=10)
    report.add(Row("3. Signing", "Ed25519 verification (`signing.verify`)", ours_t, base_t,
                   "cryptography `public_key.verify(...)`, key loaded once", "absolute", 0.040))

    pkcs12 = os.path.join(var_dir, "bench-pades.p12")
    passphrase = "bench-passphrase"
    keys.write_self_signed_pkcs12(pkcs12, common_name="Northwind Institute of Technology (bench)",
                                  organization="Northwind Institute of Technology", passphrase=passphrase)
    bare_signer = signers.SimpleSigner.load_pkcs12(pkcs12, passphrase=passphrase.encode())

    issuer = "Northwind Institute of Technology"

    def ours_pades() -> bytes:
        return pades.sign_pdf(pdf, pkcs12_path=pkcs12, passphrase=passphrase, signer_name=issuer,
                              reason=f"Certificate 7K3M-9QXP-2D4F-8HJW issued by {issuer}")

    def bare_pades() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        output = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Signature1"),
                                  signer=bare_signer)
        return output.getvalue()

    signed = ours_pades()
    bare_pades()
    ours_t, base_t = compare(ours_pades, bare_pades, repeat=repeat, batch=2)
    report.add(Row("3. Signing", "PAdES signature of the PDF (`pades.sign_pdf`, ECDSA P-256)", ours_t, base_t,
                   "pyHanko `signers.sign_pdf(...)` with `SimpleSigner.load_pkcs12` loaded once",
                   "absolute", 0.040))
    trust = pades.certificate_pem_from_pkcs12(pkcs12, passphrase)
    report.add(Row("3. Signing", "PAdES validation (`pades.validate_pdf_signature`)",
                   measure(lambda: pades.validate_pdf_signature(signed, trust_pem=trust), repeat=repeat)))
    report.notes.append(f"PAdES adds {len(signed) - len(pdf):,} bytes to the default-template PDF.")


def _issue_certificate() -> Any:
    """A course in the demo LMS and a learner who completes it: real signals issue the certificate."""
    from completion.models import BlockCompletion
    from django.contrib.auth import get_user_model

    from cert_plugin import api
    from devhost.lms.grading import record_quiz
    from devhost.lms.models import Block, Course, Enrollment, Profile

    key = "course-v1:Northwind+BENCH+2026"
    course = Course.objects.create(course_key=key, title="Python for Data Analysis", org="Northwind",
                                   passing_grade=0.6, hours=Decimal("12"))
    lessons = [Block.objects.create(course=course, kind="lesson", position=i, title=f"Lesson {i}",
                                    usage_key=f"block-v1:Northwind+BENCH+2026+type@html+block@lesson{i}")
               for i in range(1, 4)]
    quizzes = [Block.objects.create(
        course=course, kind="quiz", position=100 + i, title=f"Quiz {i}",
        usage_key=f"block-v1:Northwind+BENCH+2026+type@problem+block@quiz{i}",
        questions=[{"q": f"Question {j}", "choices": ["right", "wrong"], "answer": 0} for j in range(20)])
        for i in range(1, 3)]
    api.configure_course(key)
    user = get_user_model().objects.create_user("bench-learner", email="bench@example.org", password="x")
    Profile.objects.create(user=user, full_name="María José García López")
    Enrollment.objects.create(user=user, course=course)
    for quiz in quizzes:
        record_quiz(user, quiz, [0] * 18 + [1] * 2)  # 90%
    for lesson in lessons:
        BlockCompletion.objects.submit_completion(user=user, block_key=lesson.usage_key, completion=1.0)
    certificates = api.certificates_for(user)
    if len(certificates) != 1:
        raise RuntimeError(f"expected one issued certificate, found {len(certificates)}")
    return user, certificates[0]


def bench_download(report: Report, repeat: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from cert_plugin import api
    from cert_plugin.domain import files
    from cert_plugin.models import Certificate, RenderedFile

    _progress("[4/5] Downloads: cached GET through the views vs rendering on every request")
    user, certificate = _issue_certificate()
    certificate = Certificate.objects.select_related("template_version").get(pk=certificate.pk)
    cached = api.cached_file(certificate, RenderedFile.PDF)
    report.notes.append("The issue task had already rendered and stored the PDF when the learner first "
                        "asked for it." if cached is not None else
                        "The issue task had not stored the PDF: the first GET rendered it.")
    client = Client()
    client.force_login(user)
    url = reverse("cert_plugin:download-pdf", args=[certificate.formatted_code])
    response = client.get(url)
    if response.status_code != 200 or not response.content.startswith(b"%PDF"):
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    etag = response["ETag"]
    signed = api.cached_file(certificate, RenderedFile.PDF)
    report.notes.append(f"Stored (signed) PDF served by GET {url}: {len(response.content):,} bytes.")

    def cached_get() -> None:
        if client.get(url).status_code != 200:
            raise RuntimeError("cached GET failed")

    def revalidate() -> None:
        if client.get(url, HTTP_IF_NONE_MATCH=etag).status_code != 304:
            raise RuntimeError("If-None-Match did not answer 304")

    def render_per_request() -> None:
        files._produce(certificate, RenderedFile.PDF)

    report.notes.append(f"SQL per cached GET (200): {_queries(lambda: client.get(url))}; "
                        f"per 304: {_queries(lambda: client.get(url, HTTP_IF_NONE_MATCH=etag))}.")
    floor_client = Client()

    def floor() -> None:  # routing and middleware only: a malformed code is refused before any query
        if floor_client.get("/certs/not-a-code-not-a-code.pdf").status_code != 404:
            raise RuntimeError("expected a 404")

    assert signed is not None
    cached_t, revalidate_t, floor_t, base = interleave(
        [(cached_get, 10), (revalidate, 10), (floor, 10), (render_per_request, 1)], rounds=repeat, warmup=3)
    produce = "`files._produce(certificate, 'pdf')` per request (render + PAdES)"
    report.add(Row("4. Download", "GET /certs/<code>.pdf (stored file, logged-in owner)", cached_t, base,
                   produce, "speedup", 50))
    report.add(Row("4. Download", "GET with If-None-Match → 304", revalidate_t, base, produce, "speedup", 50))
    report.add(Row("4. Download", "Test-client floor: GET of a malformed code → 404 (no query)", floor_t))


def _queries(fn: Callable[[], Any]) -> str:
    """The SQL queries ``fn`` runs, counted by the table they read, e.g. '4 (auth_user, ...)'."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    tables: dict[str, int] = {}
    for query in captured.captured_queries:
        match = re.search(r'FROM\s+"?(\w+)"?', query["sql"])
        table = match.group(1) if match else query["sql"].split(None, 1)[0]
        tables[table] = tables.get(table, 0) + 1
    listed = ", ".join(f"{table} {TIMES}{count}" if count > 1 else table for table, count in tables.items())
    return f"{len(captured.captured_queries)} ({listed})"


def bench_sizes(report: Report, rendered: list[Rendered]) -> None:
    from cert_plugin.rendering.png import pdf_to_png

    _progress("[5/5] File sizes of the built-in templates")
    for item in rendered:
        label = f"{item.name}"
        report.sizes.append((label, "PDF (PDF/A-3b, unsigned)", len(item.pdf)))
        for dpi in (150, 300):
            report.sizes.append((label, f"PNG {dpi} dpi", len(pdf_to_png(item.pdf, dpi=dpi))))


# --------------------------------------------------------------------------------------- output


def markdown(report: Report, info: list[tuple[str, str]], elapsed: float, repeat: int,
             fonttools_warnings: int) -> str:
    intro = ("Written by `make bench` (`python -m benchmarks`). Medians (p90) of repeated runs after "
             "warm-up; each baseline is measured in the same run, interleaved with ours. Ratios are "
             "ours ÷ baseline, except for downloads (baseline ÷ ours: how many times faster). Targets are "
             "reported, never asserted. See `benchmarks/README.md` for what each row measures.")
    lines = ["# cert_plugin benchmarks", "", intro, ""]
    lines += [f"- **{key}**: {value}" for key, value in info]
    lines.append(f"- **fontTools warnings seen during the run**: {fonttools_warnings}")
    lines += [f"- **Run**: {elapsed:.0f} s, base repeat count {repeat}", ""]
    header = "| Section | Measurement | Ours: median (p90) | Baseline: median (p90) | Ratio | Target | Met |"
    lines += [header, "|---|---|---|---|---|---|---|"]
    for row in report.rows:
        baseline = f"{_ms(row.baseline)}<br>{row.baseline_name}" if row.baseline is not None else "—"
        lines.append(f"| {row.section} | {row.name} | {_ms(row.ours)} | {baseline} | {_ratio(row)} "
                     f"| {_target(row)} | {_met(row)} |")
    lines += ["", "## File sizes (5)", "", "| Template | File | Size |", "|---|---|---|"]
    lines += [f"| {template} | {kind} | {size / 1024:,.1f} KiB ({size:,} bytes) |"
              for template, kind, size in report.sizes]
    lines += ["", "## Notes", ""] + [f"- {note}" for note in report.notes]
    noisy = [row.name for row in report.rows for timing in (row.ours, row.baseline)
             if timing is not None and timing.p90 > 1.5 * timing.median]
    if noisy:
        lines.append(f"- **Noisy run**: p90 above 1.5{TIMES} the median in {len(set(noisy))} row(s) "
                     f"({'; '.join(dict.fromkeys(noisy))}); load average at the end {_load()}. "
                     "Other work competed for the CPUs: rerun on a quiet machine before trusting ratios.")
    missed = [row for row in report.rows if row.met is False]
    lines += ["", "Targets missed: " + (", ".join(row.name for row in missed) if missed else "none"), ""]
    return "\n".join(lines)


def write_report(output: Path, text: str) -> int:
    """Write a benchmark's Markdown report to ``output``, print it, and give main's exit status."""
    output.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    _progress(f"Wrote {output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15,
                        help="base number of timed runs per figure (default 15; cheap figures run more)")
    parser.add_argument("--quick", action="store_true", help="fewer runs (repeat 5), for a smoke test")
    parser.add_argument("--output", type=Path, default=RESULTS, help="Markdown file to write")
    args = parser.parse_args(argv)
    repeat = 5 if args.quick else max(3, args.repeat)

    started = time.perf_counter()
    var_dir = tempfile.mkdtemp(prefix="cert-plugin-bench-")
    try:
        _progress(f"Setting up the demo LMS on SQLite in {var_dir} ...")
        setup_django(var_dir)
        info = machine()
        counter = _FontToolsWarnings()
        logging.getLogger("weasyprint").addHandler(counter)
        report = Report()
        rendered = bench_pdf(report, repeat)
        bench_png(report, rendered[0].pdf, repeat)
        bench_signing(report, rendered[0].pdf, var_dir, repeat)
        bench_download(report, repeat)
        bench_sizes(report, rendered)
        text = markdown(report, info, time.perf_counter() - started, repeat, counter.count)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return write_report(args.output, text)


if __name__ == "__main__":
    raise SystemExit(main())
