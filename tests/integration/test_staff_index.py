"""The staff index (``/certs/staff/``, issue 14 point 8): the courses a user teaches, with their counts.

Staff could not reach their dashboards: the demo's home said "not enrolled", ``/certs/``
said "No certificates yet" and ``/certs/staff/`` was a 404.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from devhost.lms.host import DevHost
from devhost.lms.models import CourseStaff
from tests.conftest import CourseBuilder
from tests.helpers import html_of

INDEX = "/certs/staff/"


@pytest.fixture
def builder(db):
    return CourseBuilder()


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(node) -> str:
    return " ".join(node.text_content().split())


def _rows(response) -> dict[str, dict[str, str]]:
    """Each course row: its title, state, issued and awaiting counts, by course key."""
    found = {}
    for row in html_of(response).xpath("//tr[@data-course]"):
        found[row.get("data-course")] = {
            "title": _text(row.xpath(".//*[contains(@class, 'st-course__title')]")[0]),
            "state": row.xpath(".//*[@data-state]")[0].get("data-state"),
            "issued": row.xpath(".//*[@data-issued]")[0].get("data-issued"),
            "awaiting": _text(row.xpath(".//*[@data-awaiting]")[0]),
        }
    return found


def _teach(user, *courses):
    for course in courses:
        CourseStaff.objects.create(user=user, course=course)


def test_staff_see_the_courses_they_teach_with_what_waits_for_them(builder):
    safety = builder.course(title="Safety Officer Certification")
    python = builder.course(title="Python for Data Analysis")
    other = builder.course(title="Someone else's course")
    staff = builder.staff(safety)
    _teach(staff, python)
    api.configure_course(safety.course_key, requires_approval=True, validity_days=30, backfill=False)
    api.configure_course(other.course_key, backfill=False)
    for name in ("Layla Haddad", "Kenji Watanabe"):  # finished: awaiting approval
        learner = builder.learner(safety, name=name)
        builder.pass_all_quizzes(learner, safety)
        builder.complete_all(learner, safety)
        assert api.evaluate(learner, safety.course_key) is None
    api.issue(builder.learner(safety, name="Amelia Okafor"), safety.course_key, by=staff, reason="x")
    revoked = api.issue(builder.learner(safety, name="José Ñúñez"), safety.course_key, by=staff, reason="x")
    api.revoke(revoked, reason="Misconduct", by=staff)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=60)):  # expired since
        api.issue(builder.learner(safety, name="Mei Chen"), safety.course_key, by=staff, reason="x")
    api.issue(builder.learner(other, name="Noah Fischer"), other.course_key, reason="x")

    response = _client(staff).get(INDEX)

    assert response.status_code == 200
    rows = _rows(response)
    assert list(rows) == [str(python.course_key), str(safety.course_key)]  # by title
    assert rows[str(safety.course_key)] == {"title": "Safety Officer Certification", "state": "on",
                                            "issued": "1", "awaiting": "2 awaiting your approval in "
                                                                       "Safety Officer Certification"}
    assert rows[str(python.course_key)] == {"title": "Python for Data Analysis", "state": "none",
                                            "issued": "0", "awaiting": "No approval"}
    page = html_of(response)
    links = page.xpath("//tr[@data-course=$key]//a/@href", key=str(safety.course_key))
    dashboard = reverse("cert_plugin:staff-dashboard", args=[safety.course_key])
    assert dashboard in links
    assert f"{dashboard}?status=pending_approval#learners" in links
    assert reverse("cert_plugin:staff-settings", args=[safety.course_key]) in links
    assert reverse("cert_plugin:staff-audit", args=[safety.course_key]) in links
    assert "You are course staff of 2 courses." in _text(page)
    assert "private" in response.get("Cache-Control", "")


def test_site_staff_teach_every_course(builder):
    courses = [builder.course(title=f"Course {n}") for n in range(3)]
    admin = builder.staff(courses[0])
    admin.is_staff = True
    admin.save()

    rows = _rows(_client(admin).get(INDEX))

    assert set(rows) == {str(course.course_key) for course in courses}


def test_a_learner_reads_that_they_teach_no_course(builder):
    course = builder.course()
    learner = builder.learner(course)

    response = _client(learner).get(INDEX)

    assert response.status_code == 200
    assert html_of(response).xpath("//*[@data-teaches-none]")
    assert "You are not course staff of any course" in _text(html_of(response))
    assert not html_of(response).xpath("//tr[@data-course]")


def test_visitors_are_sent_to_log_in(builder):
    response = _client().get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_search_and_pages(builder):
    courses = [builder.course(title=f"Course {n:02d}", org="Northwind" if n % 2 else "Contoso")
               for n in range(60)]
    staff = builder.staff(courses[0])
    _teach(staff, *courses[1:])
    client = _client(staff)

    first, second = _rows(client.get(INDEX)), _rows(client.get(INDEX, {"page": "2"}))
    assert (len(first), len(second)) == (50, 10)
    assert set(first) | set(second) == {str(course.course_key) for course in courses}
    assert len(_rows(client.get(INDEX, {"page": "99"}))) == 10  # the last page
    assert len(_rows(client.get(INDEX, {"page": "x"}))) == 50
    found = _rows(client.get(INDEX, {"q": "course 1"}))  # title, any case
    assert sorted(row["title"] for row in found.values()) == [f"Course {n}" for n in range(10, 20)]
    assert len(_rows(client.get(INDEX, {"q": "contoso"}))) == 30  # the organization
    assert list(_rows(client.get(INDEX, {"q": str(courses[7].course_key)}))) == [str(courses[7].course_key)]
    nothing = client.get(INDEX, {"q": "nothing like it"})
    assert "No course matches." in _text(html_of(nothing))


def test_the_template_editor_is_offered_to_those_who_may_use_it(builder):
    course = builder.course()
    api.configure_course(course.course_key, backfill=False)  # its staff may edit their org's templates
    staff = builder.staff(course)
    page = html_of(_client(staff).get(INDEX))
    assert page.xpath("//a[@data-editor-link]/@href") == [reverse("cert_plugin:template-list")]

    unconfigured = builder.course(org="Contoso")
    page = html_of(_client(builder.staff(unconfigured)).get(INDEX))
    assert not page.xpath("//a[@data-editor-link]")


class HostWithoutStaffList:
    """The demo LMS as a host that lacks the optional ``staff_courses``."""

    def __getattr__(self, name):
        if name == "staff_courses":
            raise AttributeError(name)
        return getattr(DevHost(), name)


def test_a_host_without_staff_courses_lists_the_configured_courses_the_user_is_staff_of(builder, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN,
                            "HOST": "tests.integration.test_staff_index.HostWithoutStaffList"}
    taught, configured_elsewhere, not_configured = (builder.course(title=t) for t in ("A", "B", "C"))
    staff = builder.staff(taught)
    _teach(staff, not_configured)
    api.configure_course(taught.course_key, backfill=False)
    api.configure_course(configured_elsewhere.course_key, backfill=False)

    assert list(_rows(_client(staff).get(INDEX))) == [str(taught.course_key)]


def test_my_certificates_and_the_staff_pages_lead_to_the_index(builder):
    course = builder.course()
    staff = builder.staff(course)
    learner = builder.learner(course)

    mine = html_of(_client(staff).get(reverse("cert_plugin:learner-dashboard")))
    [card] = mine.xpath("//*[@data-staff-courses]")
    assert "You teach 1 course here." in _text(card)
    assert card.xpath(".//a/@href") == [INDEX]
    assert not html_of(_client(learner).get(reverse("cert_plugin:learner-dashboard"))).xpath(
        "//*[@data-staff-courses]")
    dashboard = html_of(_client(staff).get(reverse("cert_plugin:staff-dashboard", args=[course.course_key])))
    assert dashboard.xpath("//a[@data-staff-index-link]/@href") == [INDEX]


def test_the_demo_home_lists_the_courses_a_user_teaches(builder):
    course = builder.course(title="Safety Officer Certification")
    staff = builder.staff(course)

    page = html_of(_client(staff).get(reverse("lms:home")))

    [section] = page.xpath("//*[@data-teaching]")
    assert "Safety Officer Certification" in _text(section)
    assert set(section.xpath(".//a/@href")) >= {
        reverse("cert_plugin:staff-dashboard", args=[course.course_key]), INDEX}
    assert "You are not enrolled in any course yet as a learner." in _text(page)
    learner_home = html_of(_client(builder.learner(course)).get(reverse("lms:home")))
    assert not learner_home.xpath("//*[@data-teaching]")
