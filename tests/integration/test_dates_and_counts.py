"""Dates are written one way on every page (the language's date format; with the time where it
matters), month names in lower case in Portuguese as Portuguese writes them, and counts take the
singular when there is one (issue 14, point 13)."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cert_plugin import api
from cert_plugin.dates import local_date
from cert_plugin.rendering.context import build_context

PT = {"HTTP_ACCEPT_LANGUAGE": "pt-BR,pt;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
DECEMBER = dt.datetime(2026, 12, 4, 15, 30, tzinfo=dt.UTC)

pytestmark = pytest.mark.usefixtures("no_render_task")


def _text(response) -> str:
    tree = lxml.html.fromstring(response.content.decode())
    for hidden in tree.xpath("//script|//style"):
        hidden.drop_tree()
    return " ".join(tree.text_content().split())


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _course_with_a_certificate(lms, validity_days=365):
    course = lms.course(title="Python for Data Analysis")
    api.configure_course(course.course_key, validity_days=validity_days)
    staff = lms.staff(course)
    learner = lms.learner(course, name="Amelia Okafor", username="amelia")
    with time_machine.travel(DECEMBER, tick=False):
        certificate = api.issue(learner, course.course_key, by=staff, reason="Attended on site")
    return course, staff, learner, certificate


def test_portuguese_pages_write_month_names_in_lower_case(lms):
    course, staff, learner, certificate = _course_with_a_certificate(lms)
    code = certificate.formatted_code

    verify = _text(_client().get(reverse("cert_plugin:verify", args=[code]), **PT))
    page = _text(_client(learner).get(reverse("cert_plugin:certificate", args=[code]), **PT))
    dashboard = _text(_client(staff).get(reverse("cert_plugin:staff-dashboard", args=[course.course_key]),
                                         **PT))

    for text in (verify, page):
        assert "Emitido em4 de dezembro de 2026" in text  # <dt>Emitido em</dt><dd>4 de dezembro...
        assert "Válido até4 de dezembro de 2027" in text
    assert "4 de dezembro de 2026" in dashboard
    for text in (verify, page, dashboard):
        assert "Dezembro" not in text


def test_the_certificate_writes_portuguese_months_in_lower_case():
    context = build_context(learner_name="Ana", course_title="Análise", course_key="course-v1:A+B+C", org="A",
                            hours=None, grade=None, issued_at=DECEMBER, expires_at=None,
                            verification_code="7K3M9QXP2D4F8HJW", verify_url="https://x.org/v/",
                            issuer_name="Northwind", language="pt-br")
    assert context["issued_at"] == "4 de dezembro de 2026"


def test_the_audit_log_writes_the_same_date_as_the_dashboard_with_its_time(lms):
    course, staff, _, _ = _course_with_a_certificate(lms)

    dashboard = _text(_client(staff).get(reverse("cert_plugin:staff-dashboard", args=[course.course_key]),
                                         **EN))
    audit = _text(_client(staff).get(reverse("cert_plugin:staff-audit", args=[course.course_key]), **EN))

    assert "Dec. 4, 2026" in dashboard
    assert "Dec. 4, 2026, 3:30 p.m." in audit  # the dashboard's date, then the time
    assert "12/04/2026" not in audit  # not a second, numeric format


def test_the_verify_page_says_when_it_was_checked_in_the_same_format(lms):
    _, _, _, certificate = _course_with_a_certificate(lms)
    with time_machine.travel(DECEMBER + dt.timedelta(days=3), tick=False):
        text = _text(_client().get(reverse("cert_plugin:verify", args=[certificate.formatted_code]), **PT))
    assert "Verificado em 7 de dezembro de 2026 às 15:30" in text


def test_local_date_is_the_languages_date_format():
    with translation.override("en"):
        assert local_date(DECEMBER) == "Dec. 4, 2026"
        assert local_date(DECEMBER, with_time=True) == "Dec. 4, 2026, 3:30 p.m."
    with translation.override("pt-br"):
        assert local_date(DECEMBER) == "4 de dezembro de 2026"
        assert local_date(dt.date(2026, 3, 15)) == "15 de março de 2026"
    assert local_date(None) == ""


def test_a_job_over_one_certificate_says_certificate_not_certificates(lms):
    course, staff, learner, _ = _course_with_a_certificate(lms)
    learner.lms_profile.full_name = "Amelia N. Okafor"
    learner.lms_profile.save()

    response = _client(staff).post(reverse("cert_plugin:staff-job-start", args=[course.course_key]),
                                   {"kind": "reissue_all"}, follow=True)

    text = _text(response)
    assert "1 certificate: 1 reissued, 0 already up to date, 0 failed." in text
    assert "1 certificates" not in text


def test_a_backfill_over_one_learner_says_learner_not_learners(lms):
    course = lms.course()
    learner = lms.learner(course)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    api.configure_course(course.course_key, enabled=False)
    api.configure_course(course.course_key, enabled=True, backfill=False)

    start = reverse("cert_plugin:staff-job-start", args=[course.course_key])
    response = _client(lms.staff(course)).post(start, {"kind": "backfill"}, follow=True)

    text = _text(response)
    assert ("Checked 1 learner: 1 certificate issued, 0 already had one, 0 await approval, "
            "0 still in progress, 0 failed.") in text
