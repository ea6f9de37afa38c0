"""``manage.py cert_send_reminders``: email "your certificate expires soon" reminders (run daily).

Each certificate is reminded once per window of ``CERT_PLUGIN["NOTIFY"]
["EXPIRY_REMINDER_DAYS"]`` (default: 30 days before expiry), so running it
more often, or twice, sends nothing twice. Cron example::

    15 6 * * *  cd /srv/lms && ./manage.py cert_send_reminders

With Celery beat, schedule the ``cert_plugin.tasks.send_expiry_reminders`` task instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cert_plugin import api


class Command(BaseCommand):
    help = "Send 'your certificate expires soon' reminders to learners whose certificates near expiry."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = api.send_expiry_reminders()
        self.stdout.write(self.style.SUCCESS(f"{queued} expiry reminder(s) sent."))
