"""Shared helpers for the rendering tests: a realistic context and PDF readers."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pypdf
import pytest

from cert_plugin.rendering import context, html, pdf

ISSUED = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
VERIFY_URL = "https://learning.example.com/certs/verify/7K3M9QXP2D4F8HJW/"

BODY = """<main class="certificate">
  <h1>{{ learner_name }}</h1>
  <p class="course">{{ course_title }} ({{ course_key }}), {{ hours }} hours, grade {{ grade }}</p>
  <p class="issued">Issued {{ issued_at }} by {{ issuer_name }}</p>
  <p class="code">{{ verification_code }}</p>
  <div class="qr">{{ qr_svg }}</div>
</main>"""
CSS = """.certificate { padding: 20mm; }
h1 { font-size: 28pt; }
.qr { width: 35mm; height: 35mm; }"""


def make_context(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "learner_name": "Ada Lovelace",
        "course_title": "Python for Data Analysis",
        "course_key": "course-v1:Northwind+PY101+2026",
        "org": "Northwind",
        "hours": Decimal("12"),
        "grade": 0.92,
        "issued_at": ISSUED,
        "expires_at": None,
        "verification_code": "7K3M-9QXP-2D4F-8HJW",
        "verify_url": VERIFY_URL,
        "issuer_name": "Northwind Academy",
    }
    values.update(overrides)
    return context.build_context(**values)


def render(body: str = BODY, css: str = CSS, *, orientation: str = "landscape",
           assets: dict[str, pdf.Asset] | None = None, **overrides: Any) -> bytes:
    document = html.render_document(
        body, css, make_context(assets=list(assets or {}), **overrides), orientation=orientation,
        title="Certificate: Python for Data Analysis", author="Northwind Academy",
        subject="Certificate of completion", keywords=["certificate", "Northwind"], created=ISSUED)
    return pdf.render_pdf(document, assets=assets or {})


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(data).pages)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def captured(logger_name: str = "cert_plugin.rendering") -> Iterator[list[str]]:
    """Messages logged on ``logger_name`` (usable in module-scoped fixtures, unlike caplog)."""
    handler = Records()
    log = logging.getLogger(logger_name)
    log.addHandler(handler)
    try:
        yield handler.messages
    finally:
        log.removeHandler(handler)


@pytest.fixture(scope="module")
def landscape_pdf() -> bytes:
    return render()


def hold_up_weasyprint(monkeypatch: pytest.MonkeyPatch, started_file: Any, *, slow: str, huge: str) -> None:
    """WeasyPrint held up on purpose, so limit tests do not depend on the machine's speed.

    A document holding ``slow`` writes ``started_file`` and sleeps two minutes in the layout; one
    holding ``huge`` allocates 1.5 GB first. Others render as usual.
    """
    import time

    real = pdf._write  # WeasyPrint's layout and writing, inside the process's render lock

    def render(document: str, *args: Any, **kwargs: Any) -> bytes:
        if slow in document:
            started_file.write_text("started")
            time.sleep(120)
        if huge in document:
            hoard = [bytearray(64 * 1024 * 1024) for _ in range(24)]
            del hoard
        return real(document, *args, **kwargs)

    monkeypatch.setattr(pdf, "_write", render)
