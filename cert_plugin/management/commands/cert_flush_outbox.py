"""``manage.py cert_flush_outbox``: send the background tasks a broker outage left behind.

With a broker configured, every task is first written to the outbox in the
same transaction as the work that calls for it, and sent after commit; a send
that failed (broker down) leaves its row. This command sends the rows that are
due, like the ``cert_plugin.tasks.relay_outbox`` task. Safe to run from cron
every minute, also while another relay runs. It exits with an error while the
broker still refuses, so cron's mail or the monitoring notices::

    * * * * *  cd /srv/lms && ./manage.py cert_flush_outbox --verbosity 0
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cert_plugin import api


class Command(BaseCommand):
    help = "Send the background tasks waiting in cert_plugin's outbox (left by a broker outage)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=10000, help="send at most this many tasks")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        report = api.relay_outbox(limit=limit)
        summary = f"{report.sent} task(s) sent, {report.pending} waiting in the outbox."
        if report.error:
            raise CommandError(f"{summary} The broker refused: {report.error}")
        self.stdout.write(self.style.SUCCESS(summary) if not report.pending else summary)
