"""A render that fails or runs past its time limit: the certificate stays issued and verifiable,
course staff see the problem on their dashboard, and a retry succeeds and clears it.

tests/integration/test_rendering.py covers the api side (render_error, the 503 download, the task's
retries, a storage failure that still serves the file); these follow the whole story through the pages.
"""

from __future__ import annotations

from celery.exceptions import SoftTimeLimitExceeded
from django.test import Client
from django.urls import reverse

from cert_plugin import api, tasks
from cert_plugin.models import RenderedFile
from cert_plugin.rendering import pdf as pdf_module


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _qualify(lms, course, name):
    learner = lms.learner(course, name=name)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)  # issued by the real signals; the render task runs after commit
    [certificate] = api.certificates_for(learner)
    certificate.refresh_from_db()
    return learner, certificate


def _verify_page(certificate) -> str:
    return _client().get(reverse("cert_plugin:verify", args=[certificate.formatted_code])).content.decode()


def _dashboard(client, course) -> str:
    return client.get(reverse("cert_plugin:staff-dashboard", args=[course.course_key])).content.decode()


def test_a_failing_render_keeps_the_certificate_staff_see_it_and_their_retry_fixes_it(lms, settings):
    signing = settings.CERT_PLUGIN["PDF_SIGNING"]
    # The operator changed the PKCS#12 passphrase in the secrets store but not in the settings.
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "PDF_SIGNING": {**signing, "PASSPHRASE": "not-it"}}
    course = lms.course()
    api.configure_course(course.course_key)
    learner, certificate = _qualify(lms, course, "Layla Haddad")

    assert "PdfSigningError" in certificate.render_error
    assert not RenderedFile.objects.filter(certificate=certificate).exists()
    page = _verify_page(certificate)
    assert "This certificate is valid" in page
    assert "Layla Haddad" in page
    download = _client(learner).get(reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]))
    assert download.status_code == 503
    assert "still valid" in download.content.decode()

    staff = _client(lms.staff(course))
    dashboard = _dashboard(staff, course)
    assert "could not be prepared" in dashboard
    assert "PDF not ready" in dashboard

    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "PDF_SIGNING": signing}  # the operator fixes it
    response = staff.post(reverse("cert_plugin:staff-retry-render", args=[course.course_key]),
                          {"code": certificate.formatted_code}, follow=True)

    assert f"The files of {certificate.formatted_code} are ready." in response.content.decode()
    assert "PDF not ready" not in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.render_error == ""
    download = _client(learner).get(reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]))
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")


def test_a_render_past_its_time_limit_is_recorded_for_staff_and_the_task_retried(lms, monkeypatch):
    real = pdf_module.render_pdf
    attempts = []

    def stuck(*args, **kwargs):
        attempts.append(1)
        raise SoftTimeLimitExceeded()  # what a Celery worker raises in the task at the soft time limit

    monkeypatch.setattr(pdf_module, "render_pdf", stuck)
    course = lms.course()
    api.configure_course(course.course_key)
    _learner, certificate = _qualify(lms, course, "Kenji Watanabe")

    assert len(attempts) == 1 + tasks.render_certificate.max_retries  # retried, each time stopped
    assert f"took longer than {tasks.RENDER_SOFT_TIME_LIMIT} seconds" in certificate.render_error
    assert "This certificate is valid" in _verify_page(certificate)
    assert "PDF not ready" in _dashboard(_client(lms.staff(course)), course)

    monkeypatch.setattr(pdf_module, "render_pdf", real)
    assert tasks.render_certificate.apply(args=[certificate.pk]).successful()  # the next retry
    certificate.refresh_from_db()
    assert certificate.render_error == ""
    assert {f.kind for f in RenderedFile.objects.filter(certificate=certificate)} == {"pdf", "png"}

