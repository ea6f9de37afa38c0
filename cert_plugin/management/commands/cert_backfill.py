"""``manage.py cert_backfill <course_key>``: certificates for a course attached late.

Evaluates every enrolled learner and issues to those who already qualify.
Safe to run twice, and to re-run after an interruption.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from cert_plugin import api


class Command(BaseCommand):
    help = "Evaluate every enrolled learner of a course and issue certificates to those who qualify."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("course_key", help="e.g. course-v1:Org+Course+Run")
        parser.add_argument("--queue", action="store_true",
                            help="send the backfill to the Celery workers instead of running it here")
        parser.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    def handle(self, *args: Any, course_key: str, queue: bool, no_progress: bool, **options: Any) -> None:
        try:
            key = api.parse_course_key(course_key)
            if queue:
                api.queue_backfill(key)
                self.stdout.write(f"Backfill of {key} sent to the workers.")
                return
            total = api.enrolled_count(key)
            show = not no_progress and options.get("verbosity", 1) > 0
            with tqdm(total=total, unit="learner", desc=str(key), disable=not show,
                      file=sys.stderr) as bar:
                report = api.backfill(key, on_progress=lambda done: bar.update(1))
        except api.CertPluginError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"{report.learners} learners evaluated in {key}: {report.issued} newly issued, "
            f"{report.already_issued} already had one, {report.pending_approval} awaiting approval, "
            f"{report.in_progress} still in progress, {report.failed} failed."))
        if report.failed:
            raise CommandError(
                f"{report.failed} learners could not be evaluated; see the log, then run again.")
