"""Support staff in Django admin, in a real browser, in English and Brazilian Portuguese: the lists fit
the screen, dates read as on the plugin's pages, and each record opens the page where people act on
it (issue 14, points 12 and 13). Takes the admin screenshots."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS

DECEMBER = dt.datetime(2026, 12, 4, 15, 30, tzinfo=dt.UTC)
LISTS = ["certificate", "notificationdelivery", "reissuerequest", "job", "organizationbranding", "auditevent",
         "coursecertificateconfig", "certificatetemplate", "certificatetemplateversion", "renderedfile"]


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser("operator", "op@example.org", "x")


def _world(lms, settings):
    """Certificates with long names and keys, a failed email, a name-change request, a job, a branding."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # no mail server: "Connection refused"
    course = lms.course(title="Occupational Safety and Health Management Systems Certification",
                        org="NorthwindInstituteOfTechnology")
    api.configure_course(course.course_key, validity_days=730)
    staff = lms.staff(course)
    certificates = []
    with time_machine.travel(DECEMBER, tick=False):
        for name in ("Maria Fernanda dos Santos Albuquerque", "José Ñúñez", "Amelia Okafor"):
            learner = lms.learner(course, name=name)
            certificates.append(api.issue(learner, course.course_key, by=staff, reason="Certified on site"))
    learner = certificates[0].user
    learner.lms_profile.full_name = "Maria F. S. Albuquerque"
    learner.lms_profile.save()
    api.request_reissue(certificates[0], by=learner)
    api.start_job("backfill", course.course_key, by=staff)
    api.set_branding(course.org, display_name="Northwind Institute of Technology", primary_color="#1f4e79",
                     accent_color="#b08d3c")
    return course, certificates


def _fits(page) -> bool:
    """The results table is no wider than its box: nothing is cut off or scrolled sideways."""
    return page.evaluate("() => { const box = document.querySelector('.results');"
                         " return !box || box.scrollWidth <= box.clientWidth; }")


@pytest.mark.parametrize(("locale", "issued", "open_label"), [
    ("en-US", "Dec. 4, 2026", "Verify page"),
    ("pt-BR", "4 de dezembro de 2026", "Verify page"),
])
def test_the_certificate_list_fits_reads_dates_as_the_pages_and_opens_the_verify_page(
        lms, new_context, operator, settings, locale, issued, open_label):
    _, certificates = _world(lms, settings)
    page = new_context(operator, viewport={"width": 1280, "height": 900}, locale=locale).new_page()

    for name in LISTS:
        page.goto(reverse(f"admin:cert_plugin_{name}_changelist"))
        assert _fits(page), f"the {name} list is wider than the screen in {locale}"
    page.goto(reverse("admin:cert_plugin_certificate_changelist"))
    page.screenshot(path=str(SCREENSHOTS / f"admin-certificates-{locale}.png"), full_page=True)

    row = page.locator("#result_list tr", has_text=certificates[0].learner_name)
    assert issued in row.inner_text()
    assert "Dezembro" not in page.locator("#result_list").inner_text()
    row.get_by_role("link", name=open_label).click()
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    assert certificates[0].learner_name in page.content()
    assert re.search(r"\bv[aá]lid", heading.inner_text(), re.IGNORECASE), heading.inner_text()


def test_support_staff_see_a_failed_email_and_send_it_again(lms, new_context, operator, settings, mailoutbox):
    _, certificates = _world(lms, settings)
    page = new_context(operator, viewport={"width": 1280, "height": 900}).new_page()
    page.goto(reverse("admin:cert_plugin_certificate_change", args=[certificates[0].pk]))
    assert "Connection refused" in page.locator(".inline-group").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "admin-certificate.png"), full_page=True)

    page.goto(reverse("admin:cert_plugin_notificationdelivery_changelist") + "?state__exact=failed")
    assert page.locator("#result_list tbody tr").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "admin-deliveries-failed.png"), full_page=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("send_again")
    page.get_by_role("button", name="Go").click()

    page.get_by_text("Tried 3 notification(s) again: 3 sent, 0 failed").wait_for()
    assert len(mailoutbox) == 3
    page.goto(reverse("admin:cert_plugin_notificationdelivery_changelist") + "?state__exact=sent")
    assert page.locator("#result_list tbody tr").count() == 3


def test_name_change_requests_jobs_and_branding_open_where_staff_act(lms, new_context, operator, settings):
    course, _ = _world(lms, settings)
    page = new_context(operator, viewport={"width": 1280, "height": 900}).new_page()

    page.goto(reverse("admin:index"))
    for label in ("Reissue requests", "Jobs", "Organization brandings", "Notification deliveries"):
        assert page.get_by_role("link", name=label).count() >= 1, label
    page.goto(reverse("admin:cert_plugin_reissuerequest_changelist"))
    page.screenshot(path=str(SCREENSHOTS / "admin-name-changes.png"), full_page=True)
    page.get_by_role("link", name="Decide on the dashboard").click()
    page.wait_for_url(re.compile(re.escape(reverse("cert_plugin:staff-dashboard", args=[course.course_key]))))
    page.get_by_role("heading", name=re.compile("Name-change requests")).wait_for()

    page.goto(reverse("admin:cert_plugin_organizationbranding_changelist"))
    page.get_by_role("link", name="Open the branding editor").click()
    page.wait_for_url(re.compile(re.escape(reverse("cert_plugin:branding", args=[course.org]))))
