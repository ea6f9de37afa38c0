"""The broker is unreachable when a certificate is issued: the certificate commits and verifies, the
request succeeds, and the work it calls for (the render, the learner's email) waits in the outbox
until the broker is back; then the relay sends it and nothing is lost.

"Down" is a Redis URL on a port where nothing listens (the connection is refused), so these run on
every database stage. The broker that comes back is kombu's in-memory transport here, whose queue
the tests consume as a worker would; `make test-celery` runs the same story against the real Redis
with a real worker.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from celery import current_app
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from cert_plugin.domain import outbox
from cert_plugin.models import Certificate, OutboxTask, RenderedFile
from tests.concurrency import run_concurrently
from tests.services.test_celery_worker import _wait_for

RENDER = "cert_plugin.tasks.render_certificate"
ANNOUNCE = "cert_plugin.tasks.announce"
NOTIFY = "cert_plugin.tasks.notify_backend"


def _course_and_learner(lms):
    course = lms.course()
    api.configure_course(course.course_key)  # before the outage: nobody qualifies yet
    return course, lms.learner(course, name="Kenji Watanabe")


def _staff_client(lms, course) -> Client:
    client = Client()
    client.force_login(lms.staff(course))
    return client


def _issue_now(client: Client, course, learner):
    return client.post(reverse("cert_plugin:staff-issue", args=[course.course_key]),
                       {"user": learner.pk, "reason": "Attended the course on site"}, follow=True)


def _run_as_a_worker(messages) -> None:
    for name, args in messages:
        assert current_app.tasks[name].apply(args=args).successful(), (name, args)


def test_a_certificate_issued_while_the_broker_is_down_is_kept_and_its_work_is_sent_later(
        lms, broker, mailoutbox, admin_client):
    course, learner = _course_and_learner(lms)
    staff = _staff_client(lms, course)
    broker.down()

    response = _issue_now(staff, course, learner)

    assert response.status_code == 200
    assert "Certificate issued to Kenji Watanabe" in response.content.decode()
    certificate = Certificate.objects.get(user=learner, course_key=course.course_key)
    verification = api.verify(certificate.verification_code)
    assert (verification.status, verification.signature_valid) == ("valid", True)
    assert "This certificate is valid" in Client().get(
        reverse("cert_plugin:verify", args=[certificate.formatted_code])).content.decode()
    waiting = list(OutboxTask.objects.order_by("pk"))
    assert [(task.task_name, task.args) for task in waiting] == [
        (RENDER, [certificate.pk]), (ANNOUNCE, [certificate.pk, "issued"])]
    assert all(task.attempts == 1 and "Connection refused" in task.last_error for task in waiting)
    assert not RenderedFile.objects.filter(certificate=certificate).exists()
    assert mailoutbox == []

    # Operators see what waits, how often it was tried, and why it failed.
    listing = admin_client.get(reverse("admin:cert_plugin_outboxtask_changelist")).content.decode()
    assert RENDER in listing
    assert ANNOUNCE in listing
    assert "Connection refused" in listing

    # The relay while the broker is still down: one attempt, an error for cron, both tasks kept.
    with pytest.raises(CommandError, match="Connection refused"):
        call_command("cert_flush_outbox")
    assert sorted(task.attempts for task in OutboxTask.objects.all()) == [1, 2]

    # The broker is back: the relay sends both tasks and the outbox is empty.
    broker.use("memory://")
    output = io.StringIO()
    call_command("cert_flush_outbox", stdout=output)
    assert "2 task(s) sent, 0 waiting in the outbox." in output.getvalue()
    assert not OutboxTask.objects.exists()
    sent = broker.messages()
    assert sorted(sent) == sorted([(RENDER, [certificate.pk]), (ANNOUNCE, [certificate.pk, "issued"])])

    # A worker runs them: the files are stored, and the announcement queues the learner's email.
    _run_as_a_worker(sent)
    assert {f.kind for f in RenderedFile.objects.filter(certificate=certificate)} == {"pdf", "png"}
    _run_as_a_worker([(name, args) for name, args in broker.messages() if name == NOTIFY])
    [email] = mailoutbox
    assert email.to == [learner.email]
    assert certificate.formatted_code in email.body
    assert not OutboxTask.objects.exists()


def test_work_that_rolls_back_leaves_nothing_to_send(lms, broker, no_render_task):
    course, learner = _course_and_learner(lms)
    certificate = api.issue(learner, course.course_key, reason="Attended on site")  # in process
    broker.down()

    def revoke_then_fail():
        with transaction.atomic():
            api.revoke(certificate, reason="Plagiarism")
            raise RuntimeError("the request failed after the revocation")

    with pytest.raises(RuntimeError):
        revoke_then_fail()

    assert api.verify(certificate.verification_code).status == "valid"
    assert not OutboxTask.objects.exists()  # the announcement went with the rolled-back revocation


def test_without_a_broker_tasks_run_right_after_commit_and_leave_no_rows(lms):
    course, learner = _course_and_learner(lms)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)

    [certificate] = api.certificates_for(learner)
    assert RenderedFile.objects.filter(certificate=certificate).count() == 2
    assert not OutboxTask.objects.exists()


def test_concurrent_relays_send_each_waiting_task_exactly_once(lms, broker, monkeypatch):
    # Tasks written by processes that died between commit and send: once the grace period has passed
    # (none here), they are the relay's. Four relays at once must not send any of them twice.
    monkeypatch.setattr(outbox, "OUTBOX_GRACE", timedelta(0))
    broker.use("memory://")
    with transaction.atomic():
        for user_id in range(1, 251):
            api.outbox_record("cert_plugin.tasks.evaluate_learner", [user_id, "course-v1:Northwind+C1+2026"])

    results, errors = run_concurrently(api.relay_outbox, 4)

    assert errors == []
    assert sum(report.sent for report in results) == 250
    sent = broker.messages()
    assert sorted(args[0] for _, args in sent) == list(range(1, 251))
    assert not OutboxTask.objects.exists()


@pytest.mark.celery
def test_the_relay_hands_the_waiting_work_to_a_real_worker_on_redis(lms, broker, worker):
    redis = broker.app.conf.broker_url  # `make test-celery`'s Redis
    course, learner = _course_and_learner(lms)
    staff = _staff_client(lms, course)
    broker.down()

    assert _issue_now(staff, course, learner).status_code == 200

    certificate = Certificate.objects.get(user=learner, course_key=course.course_key)
    assert api.verify(certificate.verification_code).status == "valid"
    assert {task.task_name for task in OutboxTask.objects.all()} == {RENDER, ANNOUNCE}

    broker.use(redis)
    call_command("cert_flush_outbox", stdout=io.StringIO())

    files = RenderedFile.objects.filter(certificate=certificate)
    _wait_for(lambda: files.count() == 2, what="the worker to render the PDF and PNG", log=worker)
    _wait_for(lambda: "cert_plugin.tasks.announce" in worker.read_text(), what="the announcement",
              log=worker)
    # The worker's own follow-up (the learner's email) went through the outbox and was sent too.
    _wait_for(lambda: not OutboxTask.objects.exists(), what="an empty outbox", log=worker)
    assert api.render_pdf(certificate).startswith(b"%PDF")
