"""A notification that cannot be sent is never lost: its delivery record keeps the attempts and the
error for operators, and it goes out once the mail server is back, with or without a broker
(issue 14, point 12). The mail server that is "down" is Django's SMTP backend pointed at a port
where nothing listens, as in a demo without an email backend: "Connection refused"."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from cert_plugin import api, tasks
from cert_plugin.models import Certificate, NotificationDelivery

ISSUED = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
EXPIRING = "Your certificate for Python for Data Analysis expires soon"


@pytest.fixture
def smtp_down(settings):
    """No mail server listens: every email fails with "Connection refused"; ``.up()`` brings it back."""

    class Smtp:
        def up(self):
            settings.EMAIL_BACKEND = LOCMEM

        def down(self):
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2

    smtp = Smtp()
    smtp.down()
    return smtp


def _earn(lms, *, validity_days=None, name="Amelia Okafor"):
    course = lms.course(title="Python for Data Analysis")
    api.configure_course(course.course_key, validity_days=validity_days)
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return learner, certificate


def _days_later(days, hours=1):
    return time_machine.travel(ISSUED + dt.timedelta(days=days, hours=hours))


def _reminders_run() -> str:
    out = StringIO()
    call_command("cert_send_reminders", stdout=out)
    return out.getvalue()


def test_reminders_that_fail_are_not_reported_sent_and_go_out_on_the_next_run(lms, smtp_down, mailoutbox):
    with time_machine.travel(ISSUED):
        _, first = _earn(lms, validity_days=365)
        _, second = _earn(lms, validity_days=365, name="Kenji Watanabe")
    assert mailoutbox == []  # their "certificate ready" emails failed too

    with _days_later(340), pytest.raises(CommandError) as failed:
        _reminders_run()
    message = str(failed.value)
    assert "2 expiry reminder(s) due; deliveries: 0 sent, 2 failed." in message
    assert "Connection refused" in message
    assert "tried again on the next run" in message
    assert Certificate.objects.filter(expiry_reminded_at__isnull=False).count() == 0  # not marked sent
    reminders = NotificationDelivery.objects.filter(event="expiring")
    assert sorted(r.certificate_id for r in reminders) == sorted([first.pk, second.pk])
    assert all(r.state == "failed" and r.attempts == 1 and "Connection refused" in r.last_error
               for r in reminders)

    smtp_down.up()
    with _days_later(341):
        output = _reminders_run()
    assert "0 expiry reminder(s) due" in output
    assert "Earlier failed deliveries tried again: 4 sent." in output  # two reminders, two "ready" emails
    assert sorted(m.subject for m in mailoutbox if m.subject == EXPIRING) == [EXPIRING, EXPIRING]
    assert Certificate.objects.filter(expiry_reminded_at__isnull=False).count() == 2
    assert {r.state for r in NotificationDelivery.objects.all()} == {"sent"}

    mailoutbox.clear()
    with _days_later(342):
        assert "0 expiry reminder(s) due; deliveries: 0 sent." in _reminders_run()
    assert mailoutbox == []  # nothing twice


def test_a_failed_certificate_email_stays_visible_and_the_next_run_sends_it(lms, smtp_down, mailoutbox,
                                                                            admin_client):
    with time_machine.travel(ISSUED):
        learner, certificate = _earn(lms)
    [delivery] = certificate.deliveries.all()
    assert (delivery.event, delivery.state, delivery.attempts) == ("issued", "failed", 1)
    assert "Connection refused" in delivery.last_error

    failed = "/admin/cert_plugin/notificationdelivery/?state__exact=failed"
    listing = admin_client.get(failed).content.decode()
    assert certificate.formatted_code in listing
    assert "Connection refused" in listing

    with time_machine.travel(ISSUED + dt.timedelta(minutes=5)):
        assert _reminders_run() == "0 expiry reminder(s) due; deliveries: 0 sent.\n"  # not due yet
    smtp_down.up()
    with time_machine.travel(ISSUED + dt.timedelta(minutes=11)):
        assert "Earlier failed deliveries tried again: 1 sent." in _reminders_run()
    [email] = mailoutbox
    assert email.to == [learner.email]
    assert certificate.formatted_code in email.body
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 2, "")


def test_retries_back_off_and_give_up_after_many_attempts(lms, smtp_down):
    with time_machine.travel(ISSUED):
        _, certificate = _earn(lms)
    [delivery] = certificate.deliveries.all()
    when = ISSUED
    gaps = []
    while delivery.next_attempt_at is not None:
        gaps.append(round((delivery.next_attempt_at - when).total_seconds() / 60))
        when = delivery.next_attempt_at
        with time_machine.travel(when):
            api.retry_notifications()
        delivery.refresh_from_db()
    assert gaps[:6] == [10, 20, 40, 80, 160, 320]
    assert set(gaps[6:]) == {360}  # at most every 6 hours
    assert (delivery.state, delivery.attempts) == ("failed", 12)  # given up; admin can send it again


def test_announcing_the_same_news_again_sends_nothing_twice(lms, mailoutbox):
    _, certificate = _earn(lms)
    assert len(mailoutbox) == 1

    api.announce(certificate.pk, "issued")  # e.g. the task delivered twice after a worker crash
    tasks.notify_backend.apply(args=[certificate.pk, "issued", 0, certificate.deliveries.get().pk])

    assert len(mailoutbox) == 1
    assert certificate.deliveries.get().attempts == 1


def test_a_task_queued_by_the_previous_version_is_recorded_and_sent(lms, mailoutbox, no_render_task):
    _, certificate = _earn(lms)
    certificate.deliveries.all().delete()
    mailoutbox.clear()

    assert tasks.notify_backend.apply(args=[certificate.pk, "issued", 0]).get() is True  # three arguments

    [email] = mailoutbox
    assert certificate.formatted_code in email.body
    [delivery] = certificate.deliveries.all()
    assert (delivery.key, delivery.state) == ("issued:r1", "sent")


def test_no_email_address_and_a_revoked_certificate_say_why_nothing_was_sent(lms, mailoutbox, settings):
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course)
    learner.email = ""
    learner.save()
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    [delivery] = certificate.deliveries.all()
    assert (delivery.state, delivery.last_error) == ("skipped", "The learner has no email address.")

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    _, other = _earn(lms)
    api.revoke(other, reason="Issued by mistake")
    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)):
        api.retry_notifications()
    delivery = other.deliveries.get(event="issued")
    assert (delivery.state, delivery.last_error) == (
        "skipped", "The certificate was revoked before the message went out.")
    assert mailoutbox == []


def test_concurrent_retry_runs_send_a_failed_email_once(lms, smtp_down, mailoutbox):
    from tests.concurrency import run_concurrently

    with time_machine.travel(ISSUED):
        _, certificate = _earn(lms)
    smtp_down.up()

    with time_machine.travel(ISSUED + dt.timedelta(minutes=11)):
        results, errors = run_concurrently(api.retry_notifications, 4)

    assert errors == []
    assert sorted(report.sent for report in results) == [0, 0, 0, 1]
    assert len(mailoutbox) == 1
    assert certificate.deliveries.get().attempts == 2
