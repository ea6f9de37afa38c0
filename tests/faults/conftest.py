"""Fixtures for the fault tests: a Celery broker to point at (down, or back), a host with a fault."""

from __future__ import annotations

import pytest

from tests.services.test_celery_worker import worker  # noqa: F401  (the real worker, for the celery stage)

# Nothing listens on port 1: every connection is refused at once, as when the broker is down.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


class Broker:
    """Points this process's Celery app (and the plugin's broker setting) at a broker URL."""

    def __init__(self, settings, monkeypatch, app):
        self.settings = settings
        self.monkeypatch = monkeypatch
        self.app = app

    def use(self, url: str) -> None:
        self.settings.CELERY_BROKER_URL = url
        self.settings.CELERY_TASK_ALWAYS_EAGER = False
        self.monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery prefers it to its configuration
        _point(self.app, url)

    def down(self) -> None:
        self.use(UNREACHABLE_BROKER)

    def messages(self) -> list[tuple[str, list]]:
        """Take every message off the broker's default queue: (task name, args), in order."""
        taken = []
        with self.app.connection_for_read() as connection:
            queue = connection.SimpleQueue(self.app.conf.task_default_queue)
            while queue.qsize():
                message = queue.get(timeout=1)
                taken.append((message.headers["task"], list(message.payload[0])))
                message.ack()
            queue.close()
        return taken


def _point(app, url: str) -> None:
    # Celery keeps its connection and producer pools for the URL it first used; forget them.
    app.conf.broker_url = url
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def broker(settings, monkeypatch):
    """A broker for this test; Celery points back at the configured one afterwards."""
    from celery import current_app

    app = current_app._get_current_object()
    configured = app.conf.broker_url
    yield Broker(settings, monkeypatch, app)
    _point(app, configured)


@pytest.fixture
def faulty_host(settings):
    """The demo host, with a fault the test arms to run at the plugin's next learner lookup."""
    from tests.faults.hosts import FaultyHost

    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "HOST": "tests.faults.hosts.FaultyHost"}
    yield FaultyHost
    FaultyHost.fault = None
