"""Helpers of the browser tests: log a user in in a browser context, issue a certificate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from cert_plugin import api


def login(context: Any, site: str, user: Any) -> None:
    """Log ``user`` in in the browser context: the session cookie of a test-client login."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site}])


def issued(lms, *, name: str = "Amelia Okafor", title: str = "Python for Data Analysis", **config: Any):
    """A certificate issued the way learners get one: real signals, rendered files stored."""
    course = lms.course(title=title)
    api.configure_course(course.course_key, **config)
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return course, learner, certificate
