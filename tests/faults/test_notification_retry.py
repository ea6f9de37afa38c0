"""With a broker, a notification that fails is retried by the worker (Celery's backoff) and, once
those retries are spent, by the retry run, which hands it to a worker again; each attempt is
recorded on its delivery (issue 14, point 12)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from celery.exceptions import Retry

from cert_plugin import api, tasks
from tests.integration.test_notification_deliveries import ISSUED, _earn
from tests.integration.test_notification_deliveries import smtp_down as smtp_down  # the fixture


def test_with_a_broker_the_worker_retries_it_and_the_retry_run_leaves_it_to_the_worker(lms, smtp_down, broker,
                                                                                     mailoutbox):
    with time_machine.travel(ISSUED):
        _, certificate = _earn(lms)  # in process: one attempt, failed
    delivery = certificate.deliveries.get()
    broker.use("memory://")
    args = [certificate.pk, "issued", 0, delivery.pk]

    # A worker runs the task (not eagerly): the failure is recorded and Celery retries it in a minute.
    with time_machine.travel(ISSUED + dt.timedelta(minutes=20), tick=False):
        tasks.notify_backend.push_request(retries=0, is_eager=False, called_directly=False, id="t1",
                                          delivery_info={})
        try:
            with pytest.raises(Retry):
                tasks.notify_backend(*args)
        finally:
            tasks.notify_backend.pop_request()
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("failed", 2)
        assert delivery.next_attempt_at == ISSUED + dt.timedelta(minutes=20 + 1 + 10)  # after the worker's
        assert api.retry_notifications().as_dict() == {"sent": 0, "failed": 0, "waiting": 0, "skipped": 0,
                                                       "error": ""}
    assert [name for name, _ in broker.messages()] == ["cert_plugin.tasks.notify_backend"]  # the retry

    # Retries exhausted: the delivery waits for the retry run, which hands it to a worker again.
    with time_machine.travel(ISSUED + dt.timedelta(hours=2), tick=False):
        tasks.notify_backend.push_request(retries=5, is_eager=False, called_directly=False, id="t2",
                                          delivery_info={})
        try:
            assert tasks.notify_backend(*args) is False
        finally:
            tasks.notify_backend.pop_request()
    smtp_down.up()
    with time_machine.travel(ISSUED + dt.timedelta(hours=3)):
        assert api.retry_notifications().waiting == 1
    [(name, sent_args)] = broker.messages()
    assert (name, sent_args) == ("cert_plugin.tasks.notify_backend", args)
    assert tasks.notify_backend.apply(args=sent_args).get() is True
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 4)
