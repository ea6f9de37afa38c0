"""Malformed course keys, wherever a course key is accepted: a 404 (or 400) that says so, never a 500.

The routes are read from the URLconf (every pattern with a ``course_key`` segment, so a new route
is covered without editing this file), and tried with GET and POST by site staff (who pass every
permission check, so the key itself is what gets judged) and by a learner. The
same keys go to every public ``api`` function that takes a course key, to the management
commands, to the template editor's "attach to a course" form, and to the progress XBlock placed
in a course the LMS does not know.
"""

from __future__ import annotations

import inspect
import json
from io import StringIO
from typing import Any

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from opaque_keys.edx.keys import CourseKey

from cert_plugin import api
from cert_plugin.models import Certificate, CourseCertificateConfig
from tests.security import pages, routes

MALFORMED = [
    "not-a-key",
    "course-v1:",
    "course-v1:a+b",
    "course-v1:Org+Course",
    "course-v1:Org+Course+Run+Extra",
    "x" * 5000,
    "course-v1:" + "a" * 3000 + "+b+c",  # well-formed, but longer than any course key column
    "course-v1:Org+Course+" + "r" * 5000 + "!",
    "курс:Ю+Я+2026",
    "course-v1:Org+C+2026\x00",
    "\x00",
    "%00",
    "..",
    "../../etc/passwd",
    "course-v1:Org+C+..%2F..%2Fetc",
    "block-v1:Org+C+R+type@html+block@x",
    "lib:Org:Lib",
    "course-v1:Org+C+2026<script>alert(1)</script>",
    "",
]
# Well-formed keys of courses the LMS does not have: long, unicode, a CCX of an unknown course.
UNKNOWN = ["course-v1:" + "a" * 230 + "+b+c", "course-v1:Ünïcødé+Çøürsé+2026", "ccx-v1:Org+C+R+ccx@1"]
ACCEPTED = (400, 404)


def key_routes() -> list[tuple[str, str]]:
    """Every route of the plugin with a course key segment, read from the URLconf."""
    return [(name, route) for name, route in routes.plugin_routes()
            if ("str", "course_key") in routes.parameters(route)]


def _path(route: str, key: str) -> str:
    return routes.path(route, course_key=key, requirement="project")


def test_the_key_routes_are_found():
    names = {name for name, _ in key_routes()}
    assert {"staff-dashboard", "staff-export", "staff-job", "api-course-progress",
            "api-course-learners", "api-learner-requirement"} <= names
    assert len(names) >= 20


@pytest.fixture
def people(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    site_staff = get_user_model().objects.create_user("operator", password="x", is_staff=True)
    return {"site_staff": site_staff, "learner": lms.learner(course), "course": course}


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _says_why(response: Any) -> bool:
    """A JSON error with a message, or the plugin's own 404 page explaining what a key looks like."""
    if response.get("Content-Type", "").startswith("application/json"):
        document = json.loads(response.content)
        return bool(document.get("error") or document.get("detail"))
    if pages.rendered_by_plugin(response):
        return "course-v1:Org+Course+Run" in lxml.html.fromstring(response.content).text_content()
    return False


def _route_answer_ok(key: str, role: str, response: Any) -> bool:
    status = response.status_code
    if key in UNKNOWN:
        return status < 500  # well-formed: "no such course", or an empty answer for it
    if role == "learner":
        return status in (*ACCEPTED, 403, 405)  # not staff: a 404 for the key, or the 403 of any course
    # Site staff pass every permission check, so the key itself is judged. A key that is empty or
    # holds "/" never reaches the view: the host's 404.
    reaches_view = key and "/" not in key
    return status == 405 or (status in ACCEPTED and (not reaches_view or _says_why(response)))


def test_every_route_with_a_course_key_answers_404_or_400_never_500(people):
    clients = {role: _client(people[role]) for role in ("site_staff", "learner")}
    wrong = []
    for number, key in enumerate(MALFORMED + UNKNOWN):
        for name, route in key_routes():
            path = _path(route, key)
            for method in ("get", "post"):
                for role, client in clients.items():
                    response = getattr(client, method)(path)
                    ok = _route_answer_ok(key, role, response)
                    if pages.rendered_by_plugin(response):
                        ok = ok and pages.policy_problems(response) == []
                    if not ok:
                        wrong.append((number, name, method, role, response.status_code))
    assert wrong == []


def _arguments(function: Any, key: str, people: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Call arguments for an api function: the key where a course key goes, plausible values elsewhere."""
    values = {"course_key": key, "user": people["learner"], "user_id": people["learner"].pk,
              "by": people["site_staff"], "key": "project", "kind": "backfill", "template": None}
    args, kwargs = [], {}
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.default is not inspect.Parameter.empty:
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = values[name]
        else:
            args.append(values[name])
    return args, kwargs


# Task entry points whose documented answer to a bad key is to log it and do nothing.
IGNORES_BAD_KEYS = {"evaluate_ids"}


def api_functions_with_a_course_key() -> list[str]:
    return sorted(name for name in api.__all__ if callable(getattr(api, name))
                  and not inspect.isclass(getattr(api, name))
                  and "course_key" in inspect.signature(getattr(api, name)).parameters)


def test_the_api_functions_are_found():
    assert {"configure_course", "issue", "approve", "export_rows", "start_job"} <= set(
        api_functions_with_a_course_key())


def _api_call_problem(name: str, key: str, people: dict[str, Any]) -> str:
    """What is wrong with how ``api.<name>`` answered ``key`` ("" when nothing is)."""
    function = getattr(api, name)
    if name in IGNORES_BAD_KEYS:
        return "" if function(people["learner"].pk, key) is None else "did something"
    args, kwargs = _arguments(function, key, people)
    try:
        result = function(*args, **kwargs)
        if inspect.isgenerator(result):
            list(result)
    except api.InvalidCourseKey:
        return "a well-formed key was called malformed" if key in UNKNOWN else ""
    except api.CertPluginError:
        return "a malformed key passed parsing" if key in MALFORMED else ""
    except Exception as exc:  # noqa: BLE001  # any other exception is what this test exists to catch
        return repr(exc)
    return "accepted a malformed key" if key in MALFORMED else ""


def test_every_api_function_refuses_a_bad_key_with_its_own_error(people):
    wrong = [(number, name, problem) for number, key in enumerate(MALFORMED + UNKNOWN)
             for name in api_functions_with_a_course_key()
             if (problem := _api_call_problem(name, key, people))]
    assert wrong == []
    assert CourseCertificateConfig.objects.exclude(course_key=people["course"].course_key).count() == 0
    assert Certificate.objects.count() == 0


def key_commands() -> list[str]:
    """The plugin's management commands that take a course key argument."""
    found = []
    for name, app in get_commands().items():
        if app != "cert_plugin":
            continue
        parser = load_command_class(app, name).create_parser("manage.py", name)
        if any("course_key" in (action.dest or "") for action in parser._actions):
            found.append(name)
    return sorted(found)


def test_management_commands_refuse_a_bad_key_with_a_message(people):
    assert "cert_backfill" in key_commands()
    for name in key_commands():
        for key in [key for key in MALFORMED if key] + UNKNOWN:
            with pytest.raises(CommandError, match=r"course key|no course") as refused:
                call_command(name, key, "--no-progress", stdout=StringIO(), stderr=StringIO())
            assert "Traceback" not in str(refused.value)


def test_the_editor_attach_form_explains_a_malformed_key(people):
    template = api.duplicate_template(api.builtin_templates()[0], "Copy", org="Northwind",
                                      by=people["site_staff"])
    client = _client(people["site_staff"])
    url = reverse("cert_plugin:template-attach", args=[template.pk])
    for key in MALFORMED:
        response = client.post(url, {"course_key": key, "action": "attach"})

        assert response.status_code == 303
        page = client.get(response["Location"])
        assert "is not a valid course key" in lxml.html.fromstring(page.content).text_content()
    assert CourseCertificateConfig.objects.exclude(course_key=people["course"].course_key).count() == 0


def test_the_progress_xblock_in_a_course_the_lms_does_not_know_renders(people):
    from tests.xblocks.test_progress_block import _block

    for key in UNKNOWN:
        course = type("Course", (), {"course_key": CourseKey.from_string(key)})()
        for user in (people["learner"], None):
            block = _block(course, user)
            assert block.student_view({}).body_html()
            assert block.author_view({}).body_html()
