"""``manage.py seed_demo`` builds the demo and can run again without duplicating anything."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import resolve

from devhost.lms.models import Block, Course, CourseStaff, Enrollment, QuizSubmission


def _counts() -> dict[str, int]:
    from cert_plugin.models import Certificate

    return {
        "users": get_user_model().objects.count(),
        "courses": Course.objects.count(),
        "blocks": Block.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "staff": CourseStaff.objects.count(),
        "completions": BlockCompletion.objects.count(),
        "submissions": QuizSubmission.objects.count(),
        "certificates": Certificate.objects.count(),
    }


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)  # the plugin evaluates after commit, as in production
def test_seed_twice_and_reset():
    from cert_plugin import api

    output = _seed()
    first = _counts()
    assert first["courses"] == 2
    assert first["blocks"] == 11
    assert first["users"] == 5
    assert "demo-pass-123" in output
    printed = re.findall(r"http://127\.0\.0\.1:8000(/\S*)", output)
    assert "/login/" in printed
    assert "/admin/" in printed
    for path in printed:  # every link the seed prints leads to a page
        resolve(path)

    _seed()
    assert _counts() == first
    _seed("--reset")
    assert _counts() == first

    users = {u.username: u for u in get_user_model().objects.all()}
    py101, safe200 = "course-v1:Northwind+PY101+2026", "course-v1:Northwind+SAFE200+2026"
    assert api.get_progress(users["learner_done"], py101).status == "issued"
    assert api.get_progress(users["learner_progress"], py101).status == "in_progress"
    assert api.get_progress(users["learner_pending"], safe200).status == "pending_approval"
    assert users["admin"].is_superuser
    assert not users["staff"].is_staff
    assert users["staff"].check_password("demo-pass-123")
