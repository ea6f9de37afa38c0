"""The template editor tells staff, at save and in the live preview and with the line, what would
otherwise pass without a word (issue 14, point 10): a CSS syntax error (it was reported as "runs over
3 pages" with no line), a Django tag left open (``<p>{{ learner_name </p>`` printed as typed), and an
address the renderer will never fetch (a remote ``<img>``, an ``@import``)."""

from __future__ import annotations

import json

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from cert_plugin import api

# 40 paragraphs: only the CSS's height and overflow keep them on one page.
LONG = "<main>\n<h1>{{ learner_name }}</h1>\n" + "<p>{{ course_title }}</p>\n" * 40 + "</main>"
FITS = "main { height: 150mm; overflow: hidden; }\nh1 { font-size: 28pt; }\n"
# The "{" of h1 is never closed, so the main rule after it is read as part of it and the page overflows.
BRACE_MISSING = "h1 { font-size: 28pt;\nh1 { color: navy; }\nmain { height: 150mm; overflow: hidden; }\n"
DOT = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"  # a 1x1 GIF
REMOTE_IMAGE = ('<main>\n<h1>{{ learner_name }}</h1>\n'
                '<img src="https://cdn.example.com/logo.png" alt="Logo">\n</main>')


@pytest.fixture
def northwind(lms):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    return {"course": course, "staff": lms.staff(course)}


@pytest.fixture
def template(northwind):
    return api.create_template("Northwind long", html=LONG, css=FITS, org="Northwind")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(template, **changes) -> dict[str, str]:
    version = template.current_version
    return {"html": version.html, "css": version.css, "orientation": version.orientation, **changes}


def _edit(template) -> str:
    return reverse("cert_plugin:template-edit", args=[template.pk])


def _preview(template) -> str:
    return reverse("cert_plugin:template-preview", args=[template.pk])


def _text(response) -> str:
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


def test_a_css_syntax_error_is_refused_with_its_css_line_not_as_a_page_overflow(northwind, template):
    client = _client(northwind["staff"])

    saved = client.post(_edit(template), _form(template, css=BRACE_MISSING))
    previewed = client.post(_preview(template), _form(template, css=BRACE_MISSING))

    assert saved.status_code == 400
    text = _text(saved)
    assert "CSS line 1: the “{” opened here is never closed with “}”" in text
    assert "pages" not in text
    page = lxml.html.fromstring(saved.content.decode())
    assert page.xpath("//textarea[@name='css']/@data-error-line") == ["1"]
    assert previewed.status_code == 400
    assert previewed.json()["field"] == "css"
    assert previewed.json()["line"] == 1
    assert template.current_version.number == 1


def test_a_missing_semicolon_is_refused_with_its_css_line(northwind, template):
    css = "main { height: 150mm\n  overflow: hidden; }\n"
    response = _client(northwind["staff"]).post(_preview(template), _form(template, css=css))
    assert response.status_code == 400
    assert response.json() == {"error": "CSS line 1: a “;” is missing before “overflow”, so “height” and "
                                        "“overflow” are both ignored.", "line": 1, "field": "css"}


def test_an_unclosed_variable_is_refused_at_save_and_in_the_preview_with_its_line(northwind, template):
    html = "<main>\n<h1>Certificate</h1>\n<p>{{ learner_name </p>\n</main>"
    client = _client(northwind["staff"])

    saved = client.post(_edit(template), _form(template, html=html))
    previewed = client.post(_preview(template), _form(template, html=html))

    assert saved.status_code == 400
    assert "Line 3: “{{ learner_name </p>” is never closed with }}" in _text(saved)
    assert previewed.status_code == 400
    assert previewed.json()["line"] == 3
    assert previewed.json()["field"] == "html"
    assert template.current_version.number == 1


def test_a_remote_image_is_saved_and_staff_are_told_it_will_never_be_loaded(northwind, template):
    client = _client(northwind["staff"])

    previewed = client.post(_preview(template), _form(template, html=REMOTE_IMAGE, css=""))
    saved = client.post(_edit(template), _form(template, html=REMOTE_IMAGE, css=""), follow=True)

    assert previewed.status_code == 200
    assert previewed["Content-Type"] == "image/png"
    [note] = json.loads(previewed["X-Template-Notices"])
    assert note["line"] == 3
    assert note["field"] == "html"
    assert note["message"].startswith("Line 3: https://cdn.example.com/logo.png will never be loaded")
    assert previewed["X-Template-Notice-Count"] == "1"

    assert template.current_version.number == 2  # a URL is not an error
    text = _text(saved)
    assert "1 address in this template will never be loaded: see the note next to the preview." in text
    assert "Line 3: https://cdn.example.com/logo.png will never be loaded" in text
    page = lxml.html.fromstring(saved.content.decode())
    assert page.xpath("//*[@data-preview-notes]//button/@data-goto-line") == ["3"]


def test_a_template_without_remote_addresses_has_no_notes(northwind, template):
    client = _client(northwind["staff"])
    previewed = client.post(_preview(template), _form(template))
    page = client.get(_edit(template))

    assert json.loads(previewed["X-Template-Notices"]) == []
    assert previewed["X-Template-Notice-Count"] == "0"
    [notes] = lxml.html.fromstring(page.content.decode()).xpath("//*[@data-preview-notes]")
    assert notes.get("hidden") is not None


def test_the_preview_header_carries_the_first_notes_and_the_count(northwind, template):
    images = "".join(f'<img src="https://cdn.example.com/{n}.png" alt="Logo {n}">\n' for n in range(8))
    html = "<main>\n" + images + "</main>"
    response = _client(northwind["staff"]).post(_preview(template), _form(template, html=html, css=""))

    assert [note["line"] for note in json.loads(response["X-Template-Notices"])] == [2, 3, 4, 5, 6]
    assert response["X-Template-Notice-Count"] == "8"
    assert len(response["X-Template-Notices"]) < 2500  # proxies refuse long response headers


def test_an_image_without_alt_text_is_saved_and_staff_are_told_how_to_describe_it(northwind, template):
    """A screen reader says an image's alt text, on the page and in the tagged PDF (issue 17)."""
    html = (f'<main>\n<h1>{{{{ learner_name }}}}</h1>\n<img src="{DOT}">\n'
            f'<img src="{DOT}" alt="">\n<img src="{DOT}" alt="Seal of Northwind">\n</main>')
    client = _client(northwind["staff"])

    previewed = client.post(_preview(template), _form(template, html=html, css=""))

    notes = json.loads(previewed["X-Template-Notices"])
    assert [(note["line"], note["field"]) for note in notes] == [(3, "html"), (4, "html")]
    assert notes[0]["message"].startswith("Line 3: this image has no alt text: a screen reader cannot say")
    assert notes[1]["message"].startswith("Line 4: this image's alt text is empty")
    assert "make it a CSS background instead" in notes[1]["message"]


def test_after_saving_staff_read_how_many_images_lack_alt_text(northwind, template):
    html = f'<main>\n<h1>{{{{ learner_name }}}}</h1>\n<img src="{DOT}">\n</main>'
    saved = _client(northwind["staff"]).post(_edit(template), _form(template, html=html, css=""), follow=True)

    text = _text(saved)
    assert template.current_version.number == 2  # a missing alt text is not an error
    assert "1 image in this template has no text alternative for screen readers" in text
    assert "will never be loaded" not in text


def test_site_staff_creating_a_template_with_an_import_may_save_it(db):
    operator = get_user_model().objects.create_user("operator", password="x", is_staff=True)
    template = api.create_template("Imports", html="<p>{{ learner_name }}</p>",
                                   css="@import url(https://example.com/theme.css);\np { color: navy }")
    [note] = api.template_notices(template.current_version.html, template.current_version.css)
    assert note.css_line == 1
    response = _client(operator).get(_edit(template))
    assert "CSS line 1: @import https://example.com/theme.css will never be loaded" in _text(response)
