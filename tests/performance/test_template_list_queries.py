"""The template list's cost does not grow with the number of templates, and listing renders nothing
(issue 14, point 11): each row's picture is its own request, made once per version and kept.

Counts, never wall-clock (as tests/performance/test_query_counts.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cert_plugin import api
from cert_plugin.domain import templates as templates_room

LIST_BUDGET = 15  # session, user, built-ins, the org check, templates, versions, course counts...
SIMPLE = '<main style="padding: 20mm"><h1>{{ learner_name }}</h1></main>'


@pytest.fixture
def staff(lms):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key, backfill=False)
    client = Client()
    client.force_login(lms.staff(course))
    return course, client


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cert_plugin:template-list"))
    assert response.status_code == 200
    return len(captured)


def test_the_template_list_costs_the_same_queries_for_3_or_12_templates_and_renders_nothing(
        staff, monkeypatch, record_property):
    course, client = staff
    renders = []
    real = templates_room.render_limited
    monkeypatch.setattr(templates_room, "render_limited", lambda *a, **k: renders.append(1) or real(*a, **k))
    for number in range(3):
        api.create_template(f"Design {number}", org="Northwind", html=SIMPLE)
    api.set_course_template(course.course_key, api.templates(org="Northwind")[-1])
    client.get(reverse("cert_plugin:template-list"))  # the built-ins are made on first use
    renders.clear()

    few = _list_queries(client)
    for number in range(3, 12):
        template = api.create_template(f"Design {number}", org="Northwind", html=SIMPLE)
        api.update_template(template, html=SIMPLE.replace("h1", "h2"))
    renders.clear()
    many = _list_queries(client)

    record_property("queries", many)
    assert many == few
    assert many <= LIST_BUDGET
    assert renders == []  # no picture is rendered to list templates
