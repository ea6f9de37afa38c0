"""Staff editing certificate templates in the browser: list, editor, live preview, uploads,
version history and attaching a template to a course.

Who may edit: site staff any template; course staff the templates of an organization where
they are staff of a course. Every change is a new immutable version: certificates already
issued never change. Certificates are issued through the real signals of the demo LMS.
"""

from __future__ import annotations

import html as html_lib
import io
import re

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from cert_plugin import api

SIMPLE = """<main style="padding: 20mm">
  <h1>{{ learner_name }}</h1>
  <p>{{ course_title }}</p>
  <p>{{ verification_code }}</p>
</main>"""


def _png(color=(200, 20, 20), size=(240, 120)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _client(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _page(response):
    return lxml.html.fromstring(response.content.decode())


def _text(response) -> str:
    return " ".join(_page(response).text_content().split())


def _textarea(response, name: str) -> str:
    [area] = _page(response).xpath(f"//textarea[@name='{name}']")
    return area.text_content().removeprefix("\n")


def _edit_url(template) -> str:
    return reverse("cert_plugin:template-edit", args=[template.pk])


def _preview_url(template) -> str:
    return reverse("cert_plugin:template-preview", args=[template.pk])


def _form(template, **changes):
    """The editor form as the page submits it, for the template's current version."""
    version = template.current_version
    data = {"html": version.html, "css": version.css, "orientation": version.orientation}
    for index, person in enumerate(version.options.get("signatories", [])):
        data.update({f"signatory-{index}-name": person["name"], f"signatory-{index}-title": person["title"],
                     f"signatory-{index}-signature": person["signature"]})
    for index, (minimum, text) in enumerate(version.options.get("honors", [])):
        data.update({f"honor-{index}-percent": str(round(minimum * 100)), f"honor-{index}-text": text})
    if version.options.get("colors"):
        data.update({"colors_on": "1", "primary_color": version.options["colors"]["primary"],
                     "accent_color": version.options["colors"]["accent"]})
    data.update(changes)
    return data


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.fixture
def northwind(lms):
    """A Northwind course offering certificates, its course staff, a learner, and site staff."""
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    site_staff = get_user_model().objects.create_user("operator", password="x", is_staff=True)
    return {"course": course, "staff": lms.staff(course), "learner": lms.learner(course),
            "site_staff": site_staff}


@pytest.fixture
def template(northwind):
    return api.create_template("Northwind simple", html=SIMPLE, org="Northwind")


def _earn(lms, course, name="Amelia Okafor"):
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return certificate


# --------------------------------------------------------------------------- access


def test_anonymous_visitors_are_sent_to_the_login_page(template):
    for url in (reverse("cert_plugin:template-list"), _edit_url(template),
                reverse("cert_plugin:branding", args=["Northwind"])):
        response = _client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_learners_and_staff_of_other_organizations_get_403(lms, northwind, template):
    other_course = lms.course(org="Contoso")
    api.configure_course(other_course.course_key)
    contoso_staff = lms.staff(other_course)

    for user in (northwind["learner"], contoso_staff):
        response = _client(user).get(_edit_url(template))
        assert response.status_code == 403
        assert "You cannot do this" in _text(response)
        assert _client(user).post(_edit_url(template), _form(template, html="<p>x</p>")).status_code == 403
    assert _client(northwind["learner"]).get(reverse("cert_plugin:template-list")).status_code == 403
    assert template.current_version.number == 1


def test_course_staff_edit_their_organizations_templates_and_site_staff_all(northwind, template):
    for user in (northwind["staff"], northwind["site_staff"]):
        listing = _client(user).get(reverse("cert_plugin:template-list"))
        assert listing.status_code == 200
        names = [" ".join(a.text_content().split()) for a in _page(listing).xpath("//h3/a")]
        assert "Northwind simple" in names
        assert "Default (A4 landscape)" in names  # built-ins, read-only, to start from
        editor = _client(user).get(_edit_url(template))
        assert editor.status_code == 200
        assert _page(editor).xpath("//button[normalize-space()='Save new version']")


def test_built_in_templates_are_read_only_with_a_duplicate_action(northwind):
    builtin = api.builtin_templates()[0]
    client = _client(northwind["staff"])

    page = client.get(_edit_url(builtin))

    assert page.status_code == 200
    assert "Built-in" in _text(page)
    assert _page(page).xpath("//textarea[@name='html']/@readonly")
    assert not _page(page).xpath("//button[normalize-space()='Save new version']")
    assert _page(page).xpath("//a[normalize-space()='Duplicate this template']")
    refused = client.post(_edit_url(builtin), _form(builtin, html="<p>{{ learner_name }}</p>"))
    assert refused.status_code == 403
    assert builtin.current_version.html != "<p>{{ learner_name }}</p>"


def test_changes_need_a_post_with_the_csrf_token(northwind, template):
    client = _client(northwind["staff"], enforce_csrf_checks=True)
    refused = client.post(_edit_url(template), _form(template, html="<p>{{ learner_name }}</p>"))
    assert refused.status_code == 403
    assert client.get(reverse("cert_plugin:template-create")).status_code == 405
    assert template.current_version.number == 1


# --------------------------------------------------------------------------- create, edit, versions


def test_new_template_from_a_built_in_then_edit_keeps_issued_certificates_unchanged(lms, northwind):
    client = _client(northwind["staff"])
    builtin = api.builtin_templates()[0]

    created = client.post(reverse("cert_plugin:template-create"),
                          {"source": builtin.pk, "name": "Northwind 2026", "org": "Northwind"})

    [template] = [t for t in api.templates(org="Northwind") if t.name == "Northwind 2026"]
    assert created.status_code == 303
    assert created["Location"] == _edit_url(template)
    assert template.current_version.html == builtin.current_version.html
    assert "Northwind 2026" in _text(client.get(created["Location"]))

    api.set_course_template(northwind["course"].course_key, template)
    first = _earn(lms, northwind["course"], name="First Learner")
    first_pdf = api.render_pdf(first)

    html = template.current_version.html.replace(
        "has successfully completed the course", "has successfully completed the course. Awarded with pride")
    saved = client.post(_edit_url(template), _form(template, html=html))

    assert saved.status_code == 303
    assert template.current_version.number == 2
    assert "Saved as version 2" in _text(client.get(_edit_url(template)))
    second = _earn(lms, northwind["course"], name="Second Learner")
    assert second.template_version.number == 2
    assert "Awarded with pride" in _pdf_text(api.render_pdf(second))
    first.refresh_from_db()
    assert first.template_version.number == 1
    assert api.render_pdf(first) == first_pdf
    assert "Awarded with pride" not in _pdf_text(first_pdf)


def test_duplicating_needs_a_name_and_keeps_what_was_typed(northwind, template):
    client = _client(northwind["staff"])

    response = client.post(reverse("cert_plugin:template-create"),
                           {"source": template.pk, "name": "Northwind simple", "org": "Northwind"})

    assert response.status_code == 400
    assert "There is already a template named" in _text(response)
    assert _page(response).xpath("//input[@name='name']/@value") == ["Northwind simple"]
    copy = client.post(reverse("cert_plugin:template-create"),
                       {"source": template.pk, "name": "Copy", "org": "Northwind"})
    assert copy.status_code == 303
    [duplicate] = [t for t in api.templates(org="Northwind") if t.name == "Copy"]
    assert duplicate.current_version.html == SIMPLE


def test_course_staff_cannot_create_site_wide_or_other_organizations_templates(northwind, template):
    client = _client(northwind["staff"])
    for org in ("", "Contoso"):
        response = client.post(reverse("cert_plugin:template-create"),
                               {"source": template.pk, "name": "Mine", "org": org})
        assert response.status_code == 400
        assert not [t for t in api.templates(org=org or None) if t.name == "Mine"]


def test_a_syntax_error_on_save_shows_the_line_and_keeps_the_authors_text(northwind, template):
    broken = "<main>\n  <h1>{{ learner_name }}</h1>\n  {% include 'x' %}\n  <p>My careful words</p>\n</main>"
    css = "h1 { color: #7a1f1f; }"

    response = _client(northwind["staff"]).post(_edit_url(template), _form(template, html=broken, css=css))

    assert response.status_code == 400
    text = _text(response)
    assert "Not saved." in text
    assert "Line 3" in text
    assert "include" in text
    assert _textarea(response, "html") == broken
    assert _textarea(response, "css") == css
    assert _page(response).xpath("//textarea[@name='html']/@data-error-line") == ["3"]
    assert template.current_version.number == 1


def test_a_css_error_names_the_css_line(northwind, template):
    response = _client(northwind["staff"]).post(
        _edit_url(template), _form(template, css="h1 { color: red; }\np { font-size: }}} }"))
    assert response.status_code == 400
    assert "CSS line 2" in _text(response)
    assert _page(response).xpath("//textarea[@name='css']/@data-error-line") == ["2"]


def test_signatories_honours_and_colours_are_saved_as_options(northwind, template):
    client = _client(northwind["staff"])
    data = _form(template, **{
        "signatory-0-name": "Dr. Ada Obi", "signatory-0-title": "Dean",
        "honor-0-percent": "90", "honor-0-text": "With distinction",
        "colors_on": "1", "primary_color": "#123456", "accent_color": "#abcdef",
    })

    assert client.post(_edit_url(template), data).status_code == 303

    options = template.current_version.options
    assert options["signatories"] == [{"name": "Dr. Ada Obi", "title": "Dean", "signature": ""}]
    assert options["honors"] == [[0.9, "With distinction"]]
    assert options["colors"] == {"primary": "#123456", "accent": "#abcdef"}
    page = client.get(_edit_url(template))
    assert _page(page).xpath("//input[@name='signatory-0-name']/@value") == ["Dr. Ada Obi"]
    assert _page(page).xpath("//input[@name='honor-0-percent']/@value") == ["90"]

    bad = client.post(_edit_url(template), _form(template, **{"honor-0-percent": "lots",
                                                               "honor-0-text": "Wow"}))
    assert bad.status_code == 400
    assert "Honours rule 1" in _text(bad)
    assert _page(bad).xpath("//input[@name='honor-0-percent']/@value") == ["lots"]


def test_restoring_an_old_version_saves_it_again_as_the_newest(northwind, template):
    client = _client(northwind["staff"])
    client.post(_edit_url(template), _form(template, html="<main><p>{{ learner_name }} v2</p></main>"))
    assert template.current_version.number == 2

    restored = client.post(reverse("cert_plugin:template-restore", args=[template.pk, 1]))

    assert restored.status_code == 303
    assert template.current_version.number == 3
    assert template.current_version.html == SIMPLE
    page = client.get(_edit_url(template))
    assert "Version 1 restored as version 3" in _text(page)
    rows = _page(page).xpath("//section[@id='versions']//tbody/tr/th")
    assert [row.text_content().split()[0] for row in rows] == ["3", "2", "1"]


def test_each_version_can_be_viewed(northwind, template):
    client = _client(northwind["staff"])
    client.post(_edit_url(template), _form(template, orientation="portrait"))

    first = client.get(reverse("cert_plugin:template-version-preview", args=[template.pk, 1]))
    second = client.get(reverse("cert_plugin:template-version-preview", args=[template.pk, 2]))

    assert first["Content-Type"] == second["Content-Type"] == "image/png"
    wide, tall = Image.open(io.BytesIO(first.content)), Image.open(io.BytesIO(second.content))
    assert wide.width > wide.height
    assert tall.height > tall.width
    missing = reverse("cert_plugin:template-version-preview", args=[template.pk, 9])
    assert client.get(missing).status_code == 404


# --------------------------------------------------------------------------- live preview


@pytest.mark.parametrize(("orientation", "size"), [("landscape", (1169, 827)), ("portrait", (827, 1169))])
def test_the_preview_is_a_png_of_the_unsaved_form(northwind, template, orientation, size):
    client = _client(northwind["staff"])
    response = client.post(_preview_url(template), _form(template, orientation=orientation))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    assert abs(image.width - size[0]) <= 1
    assert abs(image.height - size[1]) <= 1
    assert template.current_version.number == 1  # previewing saves nothing


def test_a_broken_template_previews_as_json_with_the_line(northwind, template):
    html = "<main>\n<p>{{ learner_name }}</p>\n{% include 'x' %}\n</main>"

    response = _client(northwind["staff"]).post(_preview_url(template), _form(template, html=html))

    assert response.status_code == 400
    body = response.json()
    assert body["line"] == 3
    assert body["field"] == "html"
    assert "Line 3" in body["error"]
    assert "include" in body["error"]


def test_the_preview_refuses_strangers(lms, northwind, template):
    assert _client().post(_preview_url(template), _form(template)).status_code == 401
    assert _client(northwind["learner"]).post(_preview_url(template), _form(template)).status_code == 403
    assert _client(northwind["staff"]).get(_preview_url(template)).status_code == 405


# --------------------------------------------------------------------------- images


def _red_share(png: bytes) -> float:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = list(image.get_flattened_data())
    return sum(1 for r, g, b in pixels if r > 180 and g < 60 and b < 60) / len(pixels)


def test_an_uploaded_image_shows_in_the_preview_and_is_saved_in_the_new_version(northwind, template):
    client = _client(northwind["staff"])
    html = '<main><img src="{{ assets.logo }}" style="width: 150mm"><p>{{ learner_name }}</p></main>'
    upload = {"asset_name": "logo", "asset_file": SimpleUploadedFile("logo.png", _png(), "image/png")}

    preview = client.post(_preview_url(template), _form(template, html=html, **upload))

    assert preview.status_code == 200
    assert _red_share(preview.content) > 0.1  # the red logo, before anything is saved
    assert not template.current_version.assets.exists()

    upload["asset_file"] = SimpleUploadedFile("logo.png", _png(), "image/png")
    saved = client.post(_edit_url(template), _form(template, html=html, **upload))

    assert saved.status_code == 303
    version = template.current_version
    assert version.number == 2
    assert bytes(version.assets.get(name="logo").content) == _png()
    page = client.get(_edit_url(template))
    [thumb] = _page(page).xpath("//ul[@class='ed-assets']//img/@src")
    served = client.get(thumb)
    assert served["Content-Type"] == "image/png"
    assert served.content == _png()
    assert "sandbox" in served["Content-Security-Policy"]
    assert _client(northwind["learner"]).get(thumb).status_code == 403
    assert _red_share(client.post(_preview_url(template), _form(template)).content) > 0.1  # saved: lent


def test_a_file_that_is_not_an_image_is_refused_inline_and_nothing_is_lost(northwind, template):
    html = SIMPLE.replace("</main>", "<p>Unsaved words</p></main>")
    upload = SimpleUploadedFile("notes.txt", b"just some text, not a picture", "text/plain")

    response = _client(northwind["staff"]).post(_edit_url(template), _form(
        template, html=html, asset_name="logo", asset_file=upload))

    assert response.status_code == 400
    [error] = _page(response).xpath("//p[@id='ed-asset-error']")
    assert "is not a PNG, JPEG, GIF, WebP or SVG image" in error.text_content()
    assert _page(response).xpath("//input[@name='asset_file']/@aria-invalid") == ["true"]
    assert _textarea(response, "html") == html
    assert template.current_version.number == 1
    preview = _client(northwind["staff"]).post(_preview_url(template), _form(
        template, asset_name="logo", asset_file=SimpleUploadedFile("notes.txt", b"text", "text/plain")))
    assert preview.status_code == 400
    assert preview.json()["field"] == "asset"


def test_removing_an_image_is_a_new_version_and_the_old_one_keeps_it(northwind):
    template = api.create_template("With logo", org="Northwind", assets={"logo": _png()},
                                   html='<main>{% if assets.logo %}<img src="{{ assets.logo }}">{% endif %}'
                                        "<p>{{ learner_name }}</p></main>")
    client = _client(northwind["staff"])

    response = client.post(_edit_url(template), _form(template, remove_asset="logo"))

    assert response.status_code == 303
    assert not template.current_version.assets.exists()
    old = reverse("cert_plugin:template-asset", args=[template.pk, "logo"]) + "?version=1"
    assert client.get(old).content == _png()


# --------------------------------------------------------------------------- courses


def test_attaching_to_a_course_makes_its_next_certificates_use_the_template(lms, northwind, template):
    key = northwind["course"].course_key
    api.configure_course(key, validity_days=365, hours=7)
    client = _client(northwind["staff"])
    editor = client.get(_edit_url(template))
    assert "learners who already meet its requirements receive theirs automatically" in _text(editor)

    response = client.post(reverse("cert_plugin:template-attach", args=[template.pk]),
                           {"course_key": str(key), "action": "attach"})

    assert response.status_code == 303
    config = api.get_config(key)
    assert config.template == template
    assert (config.validity_days, float(config.hours)) == (365, 7.0)  # other settings kept
    certificate = _earn(lms, northwind["course"])
    assert certificate.template_version.template == template
    page = client.get(_edit_url(template))
    assert str(key) in _text(page)

    client.post(reverse("cert_plugin:template-attach", args=[template.pk]),
                {"course_key": str(key), "action": "detach"})
    assert api.get_config(key).template is None


def test_attaching_to_a_course_without_certificates_backfills_finished_learners(lms, northwind, template):
    course = lms.course(org="Northwind")
    finished = lms.learner(course, name="Early Finisher")
    lms.pass_all_quizzes(finished, course)
    lms.complete_all(finished, course)
    assert api.certificates_for(finished) == []
    from devhost.lms.models import CourseStaff

    CourseStaff.objects.create(user=northwind["staff"], course=course)  # a new course of theirs

    response = _client(northwind["staff"]).post(reverse("cert_plugin:template-attach", args=[template.pk]),
                                   {"course_key": str(course.course_key)})

    assert response.status_code == 303
    [certificate] = api.certificates_for(finished)
    assert certificate.template_version.template == template


def test_only_the_courses_staff_may_attach_and_only_to_their_organizations_courses(lms, northwind, template):
    other = lms.course(org="Northwind")
    api.configure_course(other.course_key)
    response = _client(northwind["staff"]).post(reverse("cert_plugin:template-attach", args=[template.pk]),
                                                {"course_key": str(other.course_key)})
    assert response.status_code == 403
    assert api.get_config(other.course_key).template is None

    contoso = lms.course(org="Contoso")
    response = _client(northwind["site_staff"]).post(
        reverse("cert_plugin:template-attach", args=[template.pk]), {"course_key": str(contoso.course_key)},
        follow=True)
    assert "belongs to Northwind" in _text(response)
    assert api.get_config(contoso.course_key) is None


def test_a_mistyped_course_key_is_explained(northwind, template):
    response = _client(northwind["staff"]).post(reverse("cert_plugin:template-attach", args=[template.pk]),
                                                {"course_key": "not a key"}, follow=True)
    assert response.status_code == 200
    assert "is not a valid course key" in _text(response)


def test_the_editor_shows_the_variable_palette_and_sample_data(northwind, template):
    page = _client(northwind["staff"]).get(_edit_url(template))
    inserts = _page(page).xpath("//div[contains(@class, 'ed-palette')]//button/@data-insert")
    assert "{{ learner_name }}" in inserts
    assert "{{ qr_svg }}" in inserts
    assert "María José García López" in _text(page)  # the sample learner the preview shows
    assert re.search(r"Version\s+1", html_lib.unescape(page.content.decode()))
