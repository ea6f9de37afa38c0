"""Issue 13, point 3: a staff template's preview cannot stall other users' renders or grow the process.

Before, previews rendered in the web process behind a process-wide render lock
with no time or memory limit: while one admin's heavy template rendered for
24 s, another admin's ordinary preview waited (11.5 s instead of 0.24 s). Now
the trial render runs in a child process with a time and a memory limit.

The heavy render is WeasyPrint held up on purpose (it sleeps, or allocates, when
the page carries a marker), so the test does not depend on how fast a machine is.
"""

from __future__ import annotations

import threading
import time

from cert_plugin import api
from cert_plugin.domain import templates as template_room
from tests.rendering.conftest import hold_up_weasyprint


def _heavy_weasyprint(monkeypatch, started_file):
    hold_up_weasyprint(monkeypatch, started_file, slow="SLOW-LAYOUT", huge="HUGE-LAYOUT")


def test_a_stalling_preview_is_stopped_and_another_preview_goes_on_meanwhile(db, monkeypatch, tmp_path):
    started = tmp_path / "started"
    _heavy_weasyprint(monkeypatch, started)
    monkeypatch.setattr(template_room, "PREVIEW_SECONDS", 8.0, raising=False)
    outcome: dict[str, object] = {}

    def hostile():
        try:
            api.preview_template(html="<p>SLOW-LAYOUT {{ learner_name }}</p>")
        except api.TemplateError as exc:
            outcome["hostile"] = str(exc)

    worker = threading.Thread(target=hostile, daemon=True)
    worker.start()
    for _ in range(600):  # until the hostile render is under way
        if started.exists():
            break
        time.sleep(0.05)
    assert started.exists()

    ordinary = api.preview_template(html="<h1>{{ learner_name }}</h1>")
    hostile_still_running = worker.is_alive()
    worker.join(timeout=120)

    assert ordinary.startswith(b"\x89PNG")
    assert hostile_still_running, "the ordinary preview waited for the hostile one"
    assert "took longer than 8 seconds" in str(outcome.get("hostile"))


def test_a_preview_that_needs_too_much_memory_is_stopped_with_a_reason(db, monkeypatch, tmp_path):
    _heavy_weasyprint(monkeypatch, tmp_path / "started")
    monkeypatch.setattr(template_room, "PREVIEW_MEMORY_MB", 512, raising=False)

    try:
        api.preview_template(html="<p>HUGE-LAYOUT {{ learner_name }}</p>")
    except api.TemplateError as exc:
        message = str(exc)
    else:
        message = "rendered"

    assert "needed more than 512 MB" in message
    assert api.preview_template(html="<h1>{{ learner_name }}</h1>").startswith(b"\x89PNG")
