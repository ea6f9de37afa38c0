"""``python -m benchmarks.anchor.seed CODES DB``: create the anchor's database, one row per code."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main(codes_file: str, database: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.anchor.settings"
    os.environ["ANCHOR_DB_NAME"] = database
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    from django.db import transaction

    from benchmarks.anchor.models import Record

    codes = [line.replace("-", "") for line in Path(codes_file).read_text(encoding="ascii").split()]
    start = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    with transaction.atomic():
        Record.objects.bulk_create(
            (Record(code=code, learner_name=f"Learner {n:06d}",
                    course_key=f"course-v1:Northwind+B{n % 100:04d}+2026",
                    course_title="Python for Data Analysis", issuer="Northwind University", hours=12,
                    issued_at=start + timedelta(minutes=n), expires_at=None, signature="x" * 86)
             for n, code in enumerate(codes)), batch_size=2000)


if __name__ == "__main__":
    main(*sys.argv[1:3])
