"""Issue 13, point 8: revocation never waits for a render, and a late render is not stored.

The render used to hold the certificate's row lock while WeasyPrint ran, so a
revoke started during a slow render waited for it (18 s in the report) while
the certificate still verified "valid". Runs on SQLite, MariaDB and PostgreSQL.
"""

from __future__ import annotations

import threading

from django.db import connection

from cert_plugin import api
from cert_plugin.models import Certificate, RenderedFile
from cert_plugin.rendering import pdf as pdf_module


def _certificate(lms):
    course = lms.course()
    learner = lms.learner(course)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    api.configure_course(course.course_key)
    certificate = api.active_certificate(learner, course.course_key)
    RenderedFile.objects.filter(certificate=certificate).delete()  # its first download is still to come
    return certificate


def test_a_revoke_during_a_slow_render_does_not_wait_and_the_late_render_is_not_stored(lms, monkeypatch):
    certificate = _certificate(lms)
    rendering, finish = threading.Event(), threading.Event()
    real = pdf_module.render_pdf

    def slow_render(*args, **kwargs):  # WeasyPrint on a heavy template
        rendering.set()
        finish.wait(timeout=60)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf_module, "render_pdf", slow_render)
    outcome: dict[str, object] = {}

    def in_thread(name, call):
        def run():
            try:
                outcome[name] = call()
            except Exception as exc:  # noqa: BLE001  (asserted below)
                outcome[name] = exc
            finally:
                connection.close()
        thread = threading.Thread(target=run)
        thread.start()
        return thread

    download = in_thread("download", lambda: api.render_pdf(Certificate.objects.get(pk=certificate.pk)))
    assert rendering.wait(timeout=60)
    revoke = in_thread("revoke", lambda: api.revoke(Certificate.objects.get(pk=certificate.pk),
                                                     reason="Academic misconduct"))
    revoke.join(timeout=15)
    revoked_while_rendering = not revoke.is_alive() and not finish.is_set()
    finish.set()
    download.join(timeout=120)
    revoke.join(timeout=120)

    assert revoked_while_rendering, "the revoke waited for the render to finish"
    assert isinstance(outcome["revoke"], Certificate)
    assert api.verify(certificate.verification_code).status == "revoked"
    assert not RenderedFile.objects.filter(certificate=certificate).exists(), \
        "the render that started before the revoke was stored over the revoked state"


def test_a_render_is_stored_when_nothing_changed_meanwhile(lms):
    certificate = _certificate(lms)

    pdf = api.render_pdf(Certificate.objects.get(pk=certificate.pk))

    stored = RenderedFile.objects.get(certificate=certificate, kind="pdf")
    assert pdf.startswith(b"%PDF")
    assert stored.revision == certificate.revision
