"""``manage.py cert_send_reminders``: send "your certificate expires soon" reminders, and try again
the notifications that failed (run daily, or hourly to retry sooner).

Each certificate is reminded once per window of ``CERT_PLUGIN["NOTIFY"]
["EXPIRY_REMINDER_DAYS"]`` (default: 30 days before expiry), so running it
more often, or twice, sends nothing twice. A notification that could not be
sent (the mail server refused, a webhook failed) stays on its delivery record
(Django admin, *Notification deliveries*) and is tried again by each run until
it goes out; a reminder counts as sent only when it was. The command says what
happened and exits with an error while deliveries fail, so cron's mail or the
monitoring notices. Cron example::

    15 6 * * *  cd /srv/lms && ./manage.py cert_send_reminders

With Celery beat, schedule the ``cert_plugin.tasks.send_expiry_reminders`` task instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cert_plugin import api


class Command(BaseCommand):
    help = ("Send 'your certificate expires soon' reminders to learners whose certificates near expiry, "
            "and try again the notifications that failed.")

    def handle(self, *args: Any, **options: Any) -> None:
        retried = api.retry_notifications()
        started = timezone.now()
        queued = api.send_expiry_reminders()
        reminders = api.reminder_report(since=started)
        lines = [f"{queued} expiry reminder(s) due; deliveries: {_outcome(reminders)}"]
        if retried.sent + retried.failed + retried.waiting + retried.skipped:
            lines.append(f"Earlier failed deliveries tried again: {_outcome(retried)}")
        summary = "\n".join(lines)
        failed = reminders.failed + retried.failed
        if failed:
            error = reminders.error or retried.error
            raise CommandError(f"{summary}\n{failed} notification(s) could not be sent ({error}); they are "
                               "tried again on the next run (Django admin, Notification deliveries).")
        self.stdout.write(self.style.SUCCESS(summary) if not reminders.waiting else summary)


def _outcome(report: api.DeliveryReport) -> str:
    parts = [f"{report.sent} sent"]
    if report.failed:
        parts.append(f"{report.failed} failed")
    if report.waiting:
        parts.append(f"{report.waiting} queued for the workers")
    if report.skipped:
        parts.append(f"{report.skipped} not needed")
    return ", ".join(parts) + "."
