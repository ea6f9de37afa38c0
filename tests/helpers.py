"""What many tests need to set up: a certificate earned the way learners earn one, a signed-in client."""

from __future__ import annotations

from typing import Any

import lxml.html
from django.test import Client

from cert_plugin import api


def issued(lms, *, name: str = "Amelia Okafor", title: str = "Python for Data Analysis", **config: Any):
    """A certificate issued the way learners get one: real signals, rendered files stored.

    Returns ``(course, learner, certificate)``; ``config`` goes to ``api.configure_course``.
    """
    course = lms.course(title=title)
    api.configure_course(course.course_key, **config)
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return course, learner, certificate


def edited_pdf(pdf: bytes) -> bytes:
    """The PDF with its title changed after signing, the way an editor saves (an incremental update)."""
    import io

    import pypdf

    writer = pypdf.PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_metadata({"/Title": "Certificate of someone else"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def client_for(user: Any = None) -> Client:
    """A test client signed in as ``user`` (signed out for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def html_of(response: Any) -> lxml.html.HtmlElement:
    """The response's page, parsed."""
    return lxml.html.fromstring(response.content.decode())


def squash(text: str) -> str:
    """``text`` with its whitespace collapsed, as a reader sees it."""
    return " ".join(text.split())
