"""A small demo-LMS course for the devhost tests (independent of the plugin's fixtures)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from devhost.lms.models import Block, Course, Enrollment, Profile

KEY = "course-v1:Northwind+T101+2026"


def _usage(kind: str, block_id: str) -> str:
    return f"block-v1:Northwind+T101+2026+type@{kind}+block@{block_id}"


@pytest.fixture
def course(db) -> Course:
    course = Course.objects.create(course_key=KEY, title="Testing 101", org="Northwind",
                                   hours=Decimal("6.5"), language="en", passing_grade=0.6)
    # Created out of order on purpose: the outline follows ``position``.
    Block.objects.create(course=course, kind="quiz", position=4, title="Quiz B", weight=3.0,
                         usage_key=_usage("problem", "quizb"),
                         questions=[{"q": "1+1?", "choices": ["1", "2"], "answer": 1}])
    Block.objects.create(course=course, kind="lesson", position=1, title="Lesson 1",
                         usage_key=_usage("html", "l1"))
    Block.objects.create(course=course, kind="lesson", position=2, title="Lesson 2",
                         usage_key=_usage("html", "l2"))
    Block.objects.create(course=course, kind="quiz", position=3, title="Quiz A", weight=1.0,
                         usage_key=_usage("problem", "quiza"),
                         questions=[{"q": f"Q{i}", "choices": ["yes", "no"], "answer": 0} for i in range(4)])
    return course


@pytest.fixture
def learner(course):
    user = get_user_model().objects.create_user("amelia", email="amelia@example.com", password="pw",
                                                first_name="Amy", last_name="O")
    Profile.objects.create(user=user, full_name="Amelia Okafor", language="fr")
    Enrollment.objects.create(user=user, course=course)
    return user



@pytest.fixture
def blocks(course) -> dict[str, Block]:
    """The course's blocks by title."""
    return {b.title: b for b in course.blocks.all()}
