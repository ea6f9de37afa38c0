"""Learners hear about their certificates: emails, webhooks and expiry reminders, issued through
real LMS signals (tasks in process, after commit)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from smtplib import SMTPException

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import translation

from cert_plugin import api
from tests.unit.test_notify_backends import signed_correctly, webhook_server

BASE = "https://lms.example.org"
EMAIL = "cert_plugin.notify.email.EmailBackend"
RECORDED: list[tuple[str, str, str]] = []  # (event, message.language, active language) per send
SMTP_ATTEMPTS: list[int] = []


class RecordingBackend:
    """A third-party backend (think SMS): notes what it was asked to send, in which language."""

    def send(self, message):
        RECORDED.append((message.event, message.language, translation.get_language()))


class FailingSMTPBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        SMTP_ATTEMPTS.append(1)
        raise SMTPException("421 Service not available")


@pytest.fixture(autouse=True)
def _site(settings):
    RECORDED.clear()
    SMTP_ATTEMPTS.clear()
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "BASE_URL": BASE}
    return settings


def _notify(settings, **notify):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "NOTIFY": notify}


def _earn(lms, *, name="Amelia Okafor", language="en", email=None, validity_days=None):
    from devhost.lms.models import Profile

    course = lms.course(title="Python for Data Analysis")
    api.configure_course(course.course_key, validity_days=validity_days)
    learner = lms.learner(course, name=name)
    Profile.objects.filter(user=learner).update(language=language)
    if email is not None:
        learner.email = email
        learner.save()
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return course, learner, certificate


# --------------------------------------------------------------------------- email


def test_completing_the_course_emails_the_learner_their_certificate(lms, mailoutbox):
    _, learner, certificate = _earn(lms)
    code = certificate.formatted_code

    [email] = mailoutbox
    assert email.to == [learner.email]
    assert email.subject == "Your certificate for Python for Data Analysis is ready"
    assert "Congratulations!" in email.body
    assert "Dear Amelia Okafor," in email.body
    assert f"Download PDF: {BASE}/certs/{code}.pdf" in email.body
    assert f"View your certificate: {BASE}/certs/{code}/" in email.body
    assert f"Verify it: {BASE}/certs/verify/{code}/" in email.body
    assert "Northwind Institute of Technology" in email.body
    [(html, mime)] = email.alternatives
    assert mime == "text/html"
    assert f'href="{BASE}/certs/{code}.pdf"' in html
    assert f'href="{BASE}/certs/verify/{code}/"' in html
    # the links work: the PDF downloads for its owner
    from django.test import Client

    client = Client()
    client.force_login(learner)
    assert client.get(f"/certs/{code}.pdf")["Content-Type"] == "application/pdf"


def test_the_email_is_written_in_the_learners_language(lms, mailoutbox, settings):
    _notify(settings, BACKENDS=[EMAIL, "tests.integration.test_notifications.RecordingBackend"])
    with time_machine.travel(dt.datetime(2026, 3, 15, 9, 0, tzinfo=dt.UTC)):
        _earn(lms, language="pt-br")

    assert RECORDED == [("issued", "pt-br", "pt-br")]  # the backend ran with Portuguese active
    [email] = mailoutbox
    assert "15 de março de 2026" in email.body  # month names in lower case, as Portuguese writes them
    assert 'lang="pt-br"' in email.alternatives[0][0]


def test_a_language_the_site_does_not_offer_falls_back_to_the_sites(lms, mailoutbox, settings):
    _notify(settings, BACKENDS=["tests.integration.test_notifications.RecordingBackend"])
    _earn(lms, language="tlh")
    assert RECORDED == [("issued", "en", "en")]


def test_a_name_with_markup_shows_literally(lms, mailoutbox):
    _earn(lms, name="<script>alert('x')</script> Amelia")

    [email] = mailoutbox
    html = email.alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Amelia" in html
    assert "Dear <script>alert('x')</script> Amelia," in email.body


def test_a_disabled_event_sends_nothing_and_reissue_says_updated(lms, mailoutbox, settings):
    _notify(settings, EVENTS=["reissued"])
    _, _, certificate = _earn(lms)
    assert mailoutbox == []

    api.reissue(certificate)
    [email] = mailoutbox
    assert email.subject == "Your certificate for Python for Data Analysis was updated"
    assert certificate.formatted_code in email.body


def test_revocation_sends_a_neutral_notice_only_when_enabled(lms, mailoutbox, settings):
    _, _, certificate = _earn(lms)
    api.revoke(certificate, reason="Issued by mistake")
    assert [m.subject for m in mailoutbox] == ["Your certificate for Python for Data Analysis is ready"]

    _notify(settings, EVENTS=["issued", "revoked"])
    _, _, other = _earn(lms)
    mailoutbox.clear()
    api.revoke(other, reason="Academic misconduct")
    [email] = mailoutbox
    assert email.subject == "Your certificate for Python for Data Analysis was revoked"
    assert "misconduct" not in email.body  # the internal reason is not mailed


def test_a_learner_without_an_email_gets_nothing_and_nothing_fails(lms, mailoutbox, caplog):
    with caplog.at_level(logging.ERROR, logger="cert_plugin"):
        _, _, certificate = _earn(lms, email="")
    assert mailoutbox == []
    assert certificate.status == "issued"
    assert not caplog.records


def test_smtp_down_still_issues_records_the_failure_and_does_not_block_other_backends(lms, settings, caplog):
    settings.EMAIL_BACKEND = "tests.integration.test_notifications.FailingSMTPBackend"
    _notify(settings, BACKENDS=[EMAIL, "tests.integration.test_notifications.RecordingBackend"])

    with caplog.at_level(logging.WARNING, logger="cert_plugin"):
        _, learner, certificate = _earn(lms)

    assert api.verify(certificate.verification_code).status == "valid"
    assert api.get_progress(learner, certificate.course_key).status == "issued"
    # In process, one attempt: the server that refused a moment ago would refuse again at once.
    assert len(SMTP_ATTEMPTS) == 1
    assert RECORDED == [("issued", "en", "en")]  # the other backend was not held up
    email, recorded = certificate.deliveries.order_by("backend_index")
    assert (email.state, email.attempts, email.last_error) == (
        "failed", 1, "SMTPException: 421 Service not available")
    assert email.next_attempt_at is not None  # tried again later (cert_send_reminders)
    assert (recorded.state, recorded.attempts) == ("sent", 1)
    [failure] = [r for r in caplog.records
                 if r.levelno == logging.WARNING and "could not send" in r.getMessage()]
    assert "421 Service not available" in failure.getMessage()
    assert certificate.formatted_code in failure.getMessage()


# --------------------------------------------------------------------------- webhook


def test_the_webhook_receives_the_signed_certificate(lms, settings, mailoutbox):
    with webhook_server() as hook:
        _notify(settings, BACKENDS=[EMAIL, {"class": "cert_plugin.notify.webhook.WebhookBackend",
                                            "url": hook.url, "secret": "topsecret"}])
        _, learner, certificate = _earn(lms)

    assert len(mailoutbox) == 1
    [(headers, body)] = hook.requests
    assert signed_correctly(headers, body, "topsecret")
    document = json.loads(body)
    assert document["event"] == "issued"
    assert document["code"] == certificate.formatted_code
    assert document["learner"] == {"name": "Amelia Okafor", "email": learner.email, "language": "en"}
    assert document["course_key"] == str(certificate.course_key)
    assert document["course_title"] == "Python for Data Analysis"
    assert dt.datetime.fromisoformat(document["issued_at"]) == certificate.issued_at
    assert document["expires_at"] is None
    assert document["verify_url"] == f"{BASE}/certs/verify/{certificate.formatted_code}/"


def test_a_failing_webhook_is_retried_until_it_answers(lms, settings):
    with webhook_server(500, 500) as hook:
        _notify(settings, BACKENDS=[{"class": "cert_plugin.notify.webhook.WebhookBackend",
                                     "url": hook.url, "secret": "topsecret"}])
        with time_machine.travel(ISSUED):
            _, _, certificate = _earn(lms)
        for minutes in (11, 32):  # each retry run after the delivery's backoff (10, then 20 minutes)
            with time_machine.travel(ISSUED + dt.timedelta(minutes=minutes)):
                api.retry_notifications()

    assert len(hook.requests) == 3
    assert all(signed_correctly(headers, body, "topsecret") for headers, body in hook.requests)
    assert len({body for _, body in hook.requests}) == 1  # the same delivery each time
    [delivery] = certificate.deliveries.all()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 3, "")


# --------------------------------------------------------------------------- expiry reminders

ISSUED = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)


def _days_later(days):
    return time_machine.travel(ISSUED + dt.timedelta(days=days, hours=1))


def test_expiry_reminders_go_out_once_per_window(lms, settings, mailoutbox):
    _notify(settings, EXPIRY_REMINDER_DAYS=[30, 7])
    with time_machine.travel(ISSUED):
        _, _, certificate = _earn(lms, validity_days=365)  # expires 2027-01-10
    mailoutbox.clear()

    with _days_later(300):
        assert api.send_expiry_reminders() == 0  # 65 days left
    with _days_later(336):
        assert api.send_expiry_reminders() == 1  # 29 days left
        assert api.send_expiry_reminders() == 0
    with _days_later(350):
        assert api.send_expiry_reminders() == 0  # still the 30-day window
    with _days_later(359):
        assert api.send_expiry_reminders() == 1  # 6 days left: the 7-day window
    with _days_later(364):
        assert api.send_expiry_reminders() == 0
    with _days_later(366):
        assert api.send_expiry_reminders() == 0  # expired

    assert len(mailoutbox) == 2
    email = mailoutbox[0]
    assert email.subject == "Your certificate for Python for Data Analysis expires soon"
    assert "expires on Jan. 10, 2027" in email.body
    assert f"Recertify: {BASE}/courses/{certificate.course_key}/" in email.body


def test_no_reminder_for_revoked_certificates_or_without_expiry(lms, mailoutbox):
    with time_machine.travel(ISSUED):
        _, _, revoked = _earn(lms, validity_days=365)
        _earn(lms)  # never expires
    api.revoke(revoked, reason="Issued by mistake")
    mailoutbox.clear()

    with _days_later(340):
        assert api.send_expiry_reminders() == 0
    assert mailoutbox == []


def test_reminders_can_be_switched_off(lms, settings, mailoutbox):
    _notify(settings, EVENTS=["issued"])
    with time_machine.travel(ISSUED):
        _earn(lms, validity_days=365)
    with _days_later(340):
        assert api.send_expiry_reminders() == 0


def test_the_reminder_command_for_cron(lms, mailoutbox):
    with time_machine.travel(ISSUED):
        _earn(lms, validity_days=365)
        _earn(lms, validity_days=365)
    mailoutbox.clear()
    with _days_later(340):
        from io import StringIO

        out = StringIO()
        call_command("cert_send_reminders", stdout=out)
        assert "2 expiry reminder(s) due; deliveries: 2 sent." in out.getvalue()
        call_command("cert_send_reminders", stdout=out)
        assert "0 expiry reminder(s) due; deliveries: 0 sent." in out.getvalue()
    subject = "Your certificate for Python for Data Analysis expires soon"
    assert [m.subject for m in mailoutbox] == [subject, subject]


def test_the_celery_beat_task_sends_reminders(lms, mailoutbox):
    from cert_plugin import tasks

    with time_machine.travel(ISSUED):
        _earn(lms, validity_days=365)
    mailoutbox.clear()
    with _days_later(340):
        assert tasks.send_expiry_reminders.apply().get() == 1
    assert len(mailoutbox) == 1
