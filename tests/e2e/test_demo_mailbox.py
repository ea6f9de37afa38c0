"""In the demo a learner who finishes a course finds the email in the Mailbox, in their language, with
links to the address they browse the demo at (issue 14, points 12 and 13). Takes the Mailbox
screenshots."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation

from cert_plugin import api
from cert_plugin.dates import local_date
from devhost.base_url import RequestBaseUrl
from tests.e2e.conftest import SCREENSHOTS


def _finish_in_the_browser(lms, new_context, *, language="en", locale="en-US"):
    """A learner with everything done but the last lesson, which they complete in the browser."""
    from devhost.lms.models import Profile

    course = lms.course(title="Python for Data Analysis")
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Amelia Okafor", username="amelia")
    Profile.objects.filter(user=learner).update(language=language)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course, but=1)
    page = new_context(learner, viewport={"width": 1100, "height": 900}, locale=locale).new_page()
    page.goto(reverse("lms:course", args=[str(course.course_key)]))
    page.get_by_role("button", name=re.compile("Mark as complete")).click()
    page.wait_for_load_state()
    [certificate] = api.certificates_for(learner)
    return page, certificate


def test_the_learner_reads_the_certificate_email_in_the_mailbox_and_opens_its_verify_link(
        lms, new_context, site, settings):
    settings.EMAIL_BACKEND = "devhost.lms.mail.MailboxBackend"
    settings.CERT_PLUGIN = RequestBaseUrl(settings.CERT_PLUGIN)  # the demo without DEVHOST_BASE_URL
    page, certificate = _finish_in_the_browser(lms, new_context)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mailbox").click()

    message = page.locator("[data-mail]")
    message.get_by_role("heading", name="Your certificate for Python for Data Analysis is ready").wait_for()
    assert "Dear Amelia Okafor," in message.inner_text()
    verify = message.locator("a[href*='/certs/verify/']")
    # The address the learner browses the demo at (the live server's port), not http://127.0.0.1:8000.
    assert verify.get_attribute("href") == f"{site}/certs/verify/{certificate.formatted_code}/"
    page.screenshot(path=str(SCREENSHOTS / "demo-mailbox.png"), full_page=True)
    verify.click()
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    assert re.search(r"\bvalid\b", heading.inner_text(), re.IGNORECASE), heading.inner_text()


def test_a_portuguese_learner_gets_the_email_in_portuguese_with_lower_case_months(lms, new_context, settings):
    settings.EMAIL_BACKEND = "devhost.lms.mail.MailboxBackend"
    page, certificate = _finish_in_the_browser(lms, new_context, language="pt-br", locale="pt-BR")

    page.goto(reverse("lms:mailbox"))

    message = page.locator("[data-mail]")
    message.get_by_role("heading", name="Seu certificado de Python for Data Analysis está pronto").wait_for()
    with translation.override("pt-br"):
        issued = local_date(certificate.issued_at)
    assert issued == issued.lower()  # "4 de dezembro de 2026"
    assert issued in message.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "demo-mailbox-pt-br.png"), full_page=True)
