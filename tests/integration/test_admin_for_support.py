"""Support staff work from Django admin: every record the plugin keeps is listed there, read-only,
and links to the page where people act on it; dates read as on the plugin's pages (issue 14,
points 12 and 13)."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
import time_machine
from django.urls import reverse

from cert_plugin import api

PT = {"HTTP_ACCEPT_LANGUAGE": "pt-BR,pt;q=0.9"}
DECEMBER = dt.datetime(2026, 12, 4, 15, 30, tzinfo=dt.UTC)

pytestmark = pytest.mark.usefixtures("no_render_task")


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser("operator", "op@example.org", "x")


def _hrefs(response) -> set[str]:
    return set(lxml.html.fromstring(response.content.decode()).xpath("//a/@href"))


def _text(response) -> str:
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


def _world(lms):
    """A course with a certificate, a name-change request, a finished job and an organization's branding."""
    course = lms.course(title="Python for Data Analysis")
    api.configure_course(course.course_key, validity_days=365)
    staff = lms.staff(course)
    learner = lms.learner(course, name="Amelia Okafor", username="amelia")
    with time_machine.travel(DECEMBER, tick=False):
        certificate = api.issue(learner, course.course_key, by=staff, reason="Attended on site")
    learner.lms_profile.full_name = "Amelia N. Okafor"
    learner.lms_profile.save()
    request = api.request_reissue(certificate, by=learner)
    job = api.start_job("backfill", course.course_key, by=staff)
    branding = api.set_branding("Northwind", display_name="Northwind Institute of Technology",
                                primary_color="#1f4e79", accent_color="#b08d3c")
    return course, certificate, request, job, branding


def test_the_certificate_list_and_page_link_to_the_verify_page_certificate_page_and_editor(lms, client,
                                                                                         operator):
    course, certificate, *_ = _world(lms)
    client.force_login(operator)
    code = certificate.formatted_code

    listing = client.get(reverse("admin:cert_plugin_certificate_changelist"))
    page = client.get(reverse("admin:cert_plugin_certificate_change", args=[certificate.pk]))

    for response in (listing, page):
        assert response.status_code == 200
        assert {reverse("cert_plugin:verify", args=[code]), reverse("cert_plugin:certificate", args=[code]),
                reverse("cert_plugin:download-pdf", args=[code])} <= _hrefs(response)
    assert {reverse("cert_plugin:staff-dashboard", args=[course.course_key]),
            reverse("cert_plugin:template-edit", args=[certificate.template_version.template_id])
            } <= _hrefs(page)
    assert "Dec. 4, 2026" in _text(listing)
    assert "Dec. 4, 2027" in _text(listing)  # expires
    template_id = certificate.template_version.template_id
    template = client.get(reverse("admin:cert_plugin_certificatetemplate_change", args=[template_id]))
    assert reverse("cert_plugin:template-edit", args=[template_id]) in _hrefs(template)


def test_name_change_requests_jobs_and_branding_are_in_admin_with_where_to_act(lms, client, operator):
    course, _, request, job, branding = _world(lms)
    client.force_login(operator)
    dashboard = reverse("cert_plugin:staff-dashboard", args=[course.course_key])

    requests = client.get(reverse("admin:cert_plugin_reissuerequest_changelist"))
    assert "Amelia N. Okafor" in _text(requests)
    assert "Decide on the dashboard" in _text(requests)
    assert f"{dashboard}#name-changes" in _hrefs(requests)
    page = client.get(reverse("admin:cert_plugin_reissuerequest_change", args=[request.pk]))
    assert page.status_code == 200

    jobs = client.get(reverse("admin:cert_plugin_job_changelist"))
    assert "Issue to qualified learners" in _text(jobs)
    assert f"{dashboard}#jobs" in _hrefs(jobs)
    assert client.get(reverse("admin:cert_plugin_job_change", args=[job.pk])).status_code == 200

    brandings = client.get(reverse("admin:cert_plugin_organizationbranding_changelist"))
    assert "Northwind Institute of Technology" in _text(brandings)
    assert "#1f4e79" in _text(brandings)
    editor = reverse("cert_plugin:branding", args=["Northwind"])
    assert editor in _hrefs(brandings)
    assert editor in _hrefs(client.get(reverse("admin:cert_plugin_organizationbranding_change",
                                               args=[branding.pk])))
    # Still read-only: support staff act on the pages linked, which keep the audit trail.
    assert client.get(reverse("admin:cert_plugin_reissuerequest_add")).status_code == 403
    delete = client.post(reverse("admin:cert_plugin_job_delete", args=[job.pk]), {"post": "yes"})
    assert delete.status_code == 403


def test_admin_dates_read_as_on_the_pages_in_portuguese_too(lms, client, operator):
    _, certificate, *_ = _world(lms)
    client.force_login(operator)

    listing = _text(client.get(reverse("admin:cert_plugin_certificate_changelist"), **PT))
    page = _text(client.get(reverse("admin:cert_plugin_certificate_change", args=[certificate.pk]), **PT))

    assert "4 de dezembro de 2026" in listing
    assert "4 de dezembro de 2026 às 15:30" in page
    assert "Dezembro" not in listing + page


def test_a_failed_notification_is_sent_again_from_admin(lms, client, operator, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    _, certificate, *_ = _world(lms)
    [delivery] = certificate.deliveries.all()
    client.force_login(operator)
    changelist = reverse("admin:cert_plugin_notificationdelivery_changelist")
    assert "Failed (1 attempt)" in _text(client.get(changelist))
    page = client.get(reverse("admin:cert_plugin_certificate_change", args=[certificate.pk]))
    assert "Connection refused" in _text(page)  # on the certificate's page too

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(changelist, {"action": "send_again", "_selected_action": [delivery.pk]},
                           follow=True)

    assert "Tried 1 notification(s) again: 1 sent, 0 failed" in _text(response)
    [email] = mailoutbox
    assert certificate.formatted_code in email.body
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)
