"""Shared fixtures: a small course in the demo LMS (the real host), learners who
work through it the way learners do (completions, quiz answers), and staff."""

from __future__ import annotations

import itertools
import os
from decimal import Decimal

import pytest

_counter = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    """The worker test needs a broker: it runs in `make test-celery` (CI), and only there."""
    if os.environ.get("CERT_PLUGIN_CELERY"):
        return
    selected = [item for item in items if "celery" not in item.keywords]
    deselected = [item for item in items if "celery" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


class CourseBuilder:
    """Builds devhost courses and drives learners through them."""

    def course(self, *, lessons: int = 3, quizzes: int = 2, passing: float = 0.6, hours: str | None = "12",
               title: str = "Python for Data Analysis", org: str = "Northwind"):
        from devhost.lms.models import Block, Course

        n = next(_counter)
        key = f"course-v1:{org}+C{n}+2026"
        course = Course.objects.create(course_key=key, title=title, org=org, passing_grade=passing,
                                       hours=Decimal(hours) if hours else None)
        for i in range(1, lessons + 1):
            Block.objects.create(course=course, kind="lesson", position=i, title=f"Lesson {i}",
                                 usage_key=f"block-v1:{org}+C{n}+2026+type@html+block@lesson{i}")
        for i in range(1, quizzes + 1):
            Block.objects.create(
                course=course, kind="quiz", position=100 + i, title=f"Quiz {i}",
                usage_key=f"block-v1:{org}+C{n}+2026+type@problem+block@quiz{i}",
                questions=[{"q": f"Question {j}", "choices": ["right", "wrong"], "answer": 0}
                           for j in range(20)],
            )
        return course

    def learner(self, course, name: str = "Amelia Okafor", username: str | None = None):
        from django.contrib.auth import get_user_model

        from devhost.lms.models import Enrollment, Profile

        user = get_user_model().objects.create_user(username or f"learner{next(_counter)}",
                                                    email=f"l{next(_counter)}@example.org", password="x")
        Profile.objects.create(user=user, full_name=name)
        Enrollment.objects.create(user=user, course=course)
        return user

    def staff(self, course):
        from django.contrib.auth import get_user_model

        from devhost.lms.models import CourseStaff

        user = get_user_model().objects.create_user(f"staff{next(_counter)}", password="x")
        CourseStaff.objects.create(user=user, course=course)
        return user

    def lessons(self, course):
        return [b for b in course.blocks.all() if b.kind == "lesson"]

    def quizzes(self, course):
        return [b for b in course.blocks.all() if b.kind == "quiz"]

    def complete(self, user, block):
        from completion.models import BlockCompletion

        BlockCompletion.objects.submit_completion(user=user, block_key=block.usage_key, completion=1.0)

    def complete_all(self, user, course, *, but: int = 0):
        lessons = self.lessons(course)
        for block in lessons[: len(lessons) - but]:
            self.complete(user, block)

    def take_quiz(self, user, block, score: float):
        """Answer the 20-question quiz so that it scores ``score`` (multiples of 5%)."""
        from devhost.lms.grading import record_quiz

        right = round(score * 20)
        record_quiz(user, block, [0] * right + [1] * (20 - right))

    def pass_all_quizzes(self, user, course, score: float = 0.9):
        for block in self.quizzes(course):
            self.take_quiz(user, block, score)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate-limit counters live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _language_of_the_site():
    """Each test ends in the site's language: a request with Accept-Language activates its language
    on the thread (LocaleMiddleware never switches back), which a later test's messages would show."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def no_render_task(monkeypatch):
    """For tests that read records and pages, not files: skip the PDF/PNG render queued at issue."""
    from cert_plugin import jobs

    real = jobs.enqueue_all  # jobs.enqueue sends through it too

    def enqueue_all(tasks, **kwargs):
        real([(name, args) for name, args in tasks if name != "cert_plugin.tasks.render_certificate"],
             **kwargs)

    monkeypatch.setattr(jobs, "enqueue_all", enqueue_all)


@pytest.fixture
def lms(transactional_db):
    return CourseBuilder()


@pytest.fixture
def one_window():
    """The clock held 5 s into a minute: a test counting requests against ``VERIFY_RATE`` never sees
    its window end (the limiter's windows are aligned to the minute; a test crossing one would
    start counting again)."""
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0, 5, tzinfo=datetime.UTC), tick=False):
        yield
