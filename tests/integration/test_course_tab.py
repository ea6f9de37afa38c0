"""The Open edX "Certificate" course tab, loaded the way edx-platform loads it.

edx-platform finds course tabs through the ``openedx.course_tab`` entry point
(stevedore), instantiates a dynamic tab with ``tab_type({})`` and asks
``is_enabled(course, user=user)`` and ``link_func(course, reverse)``. Here the
platform's ``xmodule.tabs`` and ``lms.djangoapps.courseware.tabs`` are the
stand-ins of ``tests/host/edx_platform_stubs``; the course offer, the learners
and the "My certificates" page are real.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import SimpleNamespace

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from cert_plugin import api, course_tab
from cert_plugin.host.openedx import EdxPlatformUnavailable
from cert_plugin.models import CourseCertificateConfig
from tests.host.conftest import edx  # noqa: F401  (the stand-ins' fixture)

REPO_ROOT = Path(__file__).resolve().parents[2]


def _tab_type():
    """What CourseTabPluginManager.get_plugin("cert_plugin_certificates") returns."""
    [entry_point] = [ep for ep in entry_points(group="openedx.course_tab")
                     if ep.name == "cert_plugin_certificates"]
    return entry_point.load()


def _dynamic_tabs(course, user):
    """edx-platform's ``_get_dynamic_tabs``, for our tab type alone."""
    tab = _tab_type()({})
    return [tab] if tab.is_enabled(course, user=user) else []


@pytest.fixture
def offered(lms, edx):  # noqa: F811
    """A course with a certificate offer, a learner enrolled in it (in the LMS's enrollment table)."""
    course = lms.course(title="Python for Data Analysis")
    api.configure_course(course.course_key)
    learner = lms.learner(course)
    edx.student.CourseEnrollment.enroll(learner, course.course_key)
    return SimpleNamespace(id=course.course_key), learner  # the platform passes a course with .id


def test_importing_the_module_needs_neither_edx_platform_nor_django_settings():
    code = ("import sys, cert_plugin.course_tab\n"
            "loaded = {n.split('.')[0] for n in sys.modules}\n"
            "print(sorted(loaded & {'lms', 'xmodule', 'openedx', 'common'}))\n")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_outside_open_edx_the_tab_class_says_what_is_missing():
    with pytest.raises(EdxPlatformUnavailable, match="edx-platform"):
        _tab_type()


def test_it_is_a_dynamic_enrolled_tab_that_the_platform_finds_by_its_type(edx):  # noqa: F811
    import xmodule.tabs
    from lms.djangoapps.courseware.tabs import EnrolledTab

    tab_type = _tab_type()

    assert issubclass(tab_type, EnrolledTab)
    assert issubclass(tab_type, xmodule.tabs.CourseTab)
    assert tab_type.type == "cert_plugin_certificates"  # the entry point's name
    assert tab_type.is_dynamic is True
    tab = tab_type({})
    assert tab.name == "Certificate"
    assert tab.to_json() == {"type": "cert_plugin_certificates", "name": "Certificate",
                             "course_staff_only": False}


def test_an_enrolled_learner_sees_it_in_a_course_that_offers_a_certificate(offered):
    course, learner = offered

    [tab] = _dynamic_tabs(course, learner)

    url = tab.link_func(course, reverse)
    assert url == f"/certs/#{course.id}"
    # The link lands on the learner's card of that course.
    page = Client()
    page.force_login(learner)
    html = lxml.html.fromstring(page.get(url.split("#")[0]).content.decode())
    [card] = html.xpath("//article[@id=$key]", key=str(course.id))
    assert "Python for Data Analysis" in card.text_content()


def test_it_is_hidden_in_a_course_without_a_certificate_offer(lms, edx):  # noqa: F811
    plain = lms.course(title="No Certificate")
    learner = lms.learner(plain)
    edx.student.CourseEnrollment.enroll(learner, plain.course_key)
    switched_off = lms.course(title="Switched Off")
    api.configure_course(switched_off.course_key, enabled=False)
    edx.student.CourseEnrollment.enroll(learner, switched_off.course_key)

    assert _dynamic_tabs(SimpleNamespace(id=plain.course_key), learner) == []
    assert _dynamic_tabs(SimpleNamespace(id=switched_off.course_key), learner) == []


def test_it_is_hidden_from_visitors_and_learners_not_enrolled_but_shown_to_course_staff(lms, edx, offered):  # noqa: F811
    course, _ = offered
    stranger = lms.learner(lms.course(title="Another Course"))
    staff = lms.staff(lms.course(title="Unrelated"))
    edx.roles.CourseStaffRole(course.id).add_users(staff)

    assert _dynamic_tabs(course, AnonymousUser()) == []
    assert _dynamic_tabs(course, None) == []
    assert _dynamic_tabs(course, stranger) == []
    assert len(_dynamic_tabs(course, staff)) == 1


def _rename_config_table(old: str, new: str) -> None:
    with connection.schema_editor() as editor:
        editor.alter_db_table(CourseCertificateConfig, old, new)


@pytest.mark.django_db(transaction=True)  # renaming a table commits on MariaDB: no test transaction
def test_before_migrate_the_tab_is_hidden_the_course_page_still_answers_and_the_log_says_why_once(
        offered, caplog, monkeypatch):
    course, learner = offered
    table = CourseCertificateConfig._meta.db_table
    monkeypatch.setattr(course_tab, "_failure_logged", False, raising=False)  # as in a fresh process
    _rename_config_table(table, f"{table}_not_migrated")  # the plugin installed, `migrate` not run yet
    try:
        with caplog.at_level(logging.ERROR, logger="cert_plugin.course_tab"), \
                transaction.atomic():  # the LMS answers course_metadata in a transaction (ATOMIC_REQUESTS)
            for _ in range(3):  # three course pages
                assert _dynamic_tabs(course, learner) == []
            # The rest of the platform's request still reads the database (no broken transaction).
            assert get_user_model().objects.filter(pk=learner.pk).exists()
    finally:
        _rename_config_table(f"{table}_not_migrated", table)

    [logged] = [record for record in caplog.records if record.name == "cert_plugin.course_tab"]
    assert "migrate cert_plugin" in logged.getMessage()
    assert len(_dynamic_tabs(course, learner)) == 1  # once migrated, the tab is back without a restart
