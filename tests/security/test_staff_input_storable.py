"""Issue 13, point 6: staff input the database cannot hold is refused with a reason, not a 500.

PostgreSQL refuses a NUL character in a text column and in jsonb ("\\u0000 cannot be converted to
text"); PostgreSQL and MariaDB (strict mode) refuse a value longer than its column, which SQLite
keeps whole. The template (name, organization, HTML, CSS, signatories, honours) and the branding
(organization, display name, signatories) are checked before anything is written, through the
editor's pages and through the api alike. Runs on SQLite, PostgreSQL and MariaDB (CERT_PLUGIN_DB).
"""

from __future__ import annotations

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from cert_plugin import api
from cert_plugin.models import (
    CertificateTemplate,
    CertificateTemplateVersion,
    OrganizationBranding,
)

SIMPLE = """<main style="padding: 20mm">
  <h1>{{ learner_name }}</h1>
  <p>{{ course_title }}</p>
</main>"""

NAME_MAX = CertificateTemplate._meta.get_field("name").max_length  # 200
DISPLAY_NAME_MAX = OrganizationBranding._meta.get_field("display_name").max_length  # 255


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(response):
    # lxml refuses NUL; the page echoes what the author typed, NUL included
    return lxml.html.fromstring(response.content.decode().replace("\x00", ""))


def _text(response) -> str:
    return " ".join(_page(response).text_content().split())


@pytest.fixture
def northwind(lms):
    """A Northwind course offering certificates, its course staff, and site staff."""
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key, backfill=False)
    site_staff = get_user_model().objects.create_user("operator", password="x", is_staff=True)
    return {"course": course, "staff": lms.staff(course), "site_staff": site_staff}


@pytest.fixture
def template(northwind):
    return api.create_template("Northwind simple", html=SIMPLE, org="Northwind",
                               options={"signatories": [{"name": "Dr. Ada Obi", "title": "Dean"}]})


def _versions(template) -> int:
    return CertificateTemplateVersion.objects.filter(template=template).count()


def _editor_form(template, **changes):
    version = template.current_version
    data = {"html": version.html, "css": version.css, "orientation": version.orientation,
            "signatory-0-name": "Dr. Ada Obi", "signatory-0-title": "Dean"}
    data.update(changes)
    return data


# --------------------------------------------------------------------------- the template editor


@pytest.mark.parametrize(("field", "value", "words"), [
    ("html", "<main>\n  <h1>{{ learner_name }}</h1>\n  <p>Ada\x00 wrote this</p>\n</main>", "HTML"),
    ("css", "h1 { color: #7a1f1f; }\x00", "CSS"),
    ("signatory-0-name", "Dr. Ada\x00 Obi", "Signatory 1"),
    ("signatory-0-title", "De\x00an", "Signatory 1"),
    ("honor-0-text", "With\x00 distinction", "Honors rule 1"),
])
def test_nul_in_the_editor_is_a_400_that_keeps_the_authors_text(northwind, template, field, value, words):
    changes = {field: value}
    if field.startswith("honor"):
        changes["honor-0-percent"] = "90"

    response = _client(northwind["staff"]).post(reverse("cert_plugin:template-edit", args=[template.pk]),
                                                _editor_form(template, **changes))

    assert response.status_code == 400
    shown = _text(response)
    assert "Not saved." in shown
    assert "NUL" in shown
    assert words.lower() in shown.lower()
    assert escape(value) in response.content.decode()  # what the author typed, shown again to fix
    if field in ("html", "css"):
        assert _page(response).xpath("//textarea[@aria-invalid='true']/@name") == [field]
    assert _versions(template) == 1


@pytest.mark.parametrize(("name", "org", "words"), [
    ("Northwind\x00 copy", "Northwind", "NUL"),
    ("N" * (NAME_MAX + 1), "Northwind", f"at most {NAME_MAX}"),
    ("Copy", "North\x00wind", "NUL"),
    ("Copy", "O" * 256, "at most 255"),
])
def test_a_template_name_or_organization_the_database_cannot_hold_is_a_400(northwind, template, name, org,
                                                                           words):
    api.builtin_templates()  # the list page the answer shows creates them
    before = CertificateTemplate.objects.count()

    response = _client(northwind["site_staff"]).post(reverse("cert_plugin:template-create"),
                                                     {"source": template.pk, "name": name, "org": org})

    assert response.status_code == 400
    assert words in _text(response)
    assert escape(name) in response.content.decode()  # the name typed, kept in its field
    invalid = "org" if org != "Northwind" else "name"
    assert _page(response).xpath("//input[@aria-invalid='true']/@name") == [invalid]
    assert CertificateTemplate.objects.count() == before


def test_nul_in_the_live_preview_is_a_400_with_the_reason(northwind, template):
    response = _client(northwind["staff"]).post(reverse("cert_plugin:template-preview", args=[template.pk]),
                                                _editor_form(template, html="<p>a\x00b</p>"))
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]
    assert response.json()["field"] == "html"


# --------------------------------------------------------------------------- the branding page


@pytest.mark.parametrize(("changes", "words"), [
    ({"display_name": "Northwind\x00 Institute"}, "NUL"),
    ({"display_name": "N" * (DISPLAY_NAME_MAX + 1)}, f"at most {DISPLAY_NAME_MAX}"),
    ({"signatory-0-name": "Dr. Ada\x00 Obi"}, "NUL"),
    ({"signatory-0-title": "De\x00an"}, "NUL"),
])
def test_branding_the_database_cannot_hold_is_a_400_that_keeps_what_was_typed(northwind, changes, words):
    form = {"display_name": "Northwind Institute", "primary_color": "#1f3a5f", "accent_color": "#b08d3c",
            "signatory-0-name": "Dr. Ada Obi", "signatory-0-title": "Dean", **changes}

    response = _client(northwind["staff"]).post(reverse("cert_plugin:branding", args=["Northwind"]), form)

    assert response.status_code == 400
    assert "Not saved." in _text(response)
    assert words in _text(response)
    [value] = changes.values()
    assert escape(value) in response.content.decode()
    assert not OrganizationBranding.objects.filter(org="Northwind").exists()


def test_an_existing_branding_is_kept_whole_when_a_change_is_refused(northwind):
    api.set_branding("Northwind", display_name="Northwind Institute",
                     signatories=[{"name": "Dr. Ada Obi", "title": "Dean"}])

    response = _client(northwind["staff"]).post(reverse("cert_plugin:branding", args=["Northwind"]), {
        "display_name": "Northwind Polytechnic", "primary_color": "#1f3a5f", "accent_color": "#b08d3c",
        "signatory-0-name": "Dr. Ada Obi", "signatory-0-title": "Provost\x00"})

    assert response.status_code == 400
    brand = api.branding("Northwind")
    assert brand.display_name == "Northwind Institute"
    assert brand.signatories == [{"name": "Dr. Ada Obi", "title": "Dean", "signature": ""}]


# --------------------------------------------------------------------------- the api


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"name": "Cert\x00ificate"}, "NUL"),
    ({"name": "N" * (NAME_MAX + 1)}, f"at most {NAME_MAX}"),
    ({"org": "North\x00wind"}, "NUL"),
    ({"org": "O" * 256}, "at most 255"),
    ({"html": "<p>{{ learner_name }}\x00</p>"}, "NUL"),
    ({"css": "p { color: red }\x00"}, "NUL"),
    ({"options": {"signatories": [{"name": "Ada\x00", "title": "Dean"}]}}, "Signatory 1"),
    ({"options": {"signatories": [{"name": "Ada", "title": "Dean\x00"}]}}, "Signatory 1"),
    ({"options": {"honors": [[0.9, "With\x00 distinction"]]}}, "Honors rule 1"),
])
def test_create_template_refuses_what_the_database_cannot_hold(db, kwargs, words):
    arguments = {"name": "Certificate", "html": SIMPLE, "org": "Northwind", **kwargs}
    before = (CertificateTemplate.objects.count(), CertificateTemplateVersion.objects.count())

    with pytest.raises(api.TemplateError, match=words):
        api.create_template(arguments.pop("name"), **arguments)

    assert (CertificateTemplate.objects.count(), CertificateTemplateVersion.objects.count()) == before


@pytest.mark.parametrize("kwargs", [
    {"html": "<p>{{ learner_name }}\x00</p>"},
    {"css": "p { color: red }\x00"},
    {"options": {"signatories": [{"name": "Dr. Ada\x00 Obi", "title": "Dean"}]}},
    {"options": {"honors": [[0.9, "\x00"]]}},
])
def test_update_template_refuses_nul_and_saves_no_version(northwind, template, kwargs):
    with pytest.raises(api.TemplateError, match="NUL"):
        api.update_template(template, **kwargs)
    assert _versions(template) == 1


def test_duplicate_template_refuses_a_name_too_long_for_its_column(northwind, template):
    with pytest.raises(api.TemplateError, match=f"at most {NAME_MAX}"):
        api.duplicate_template(template, "x" * (NAME_MAX + 1), org="Northwind")
    assert CertificateTemplate.objects.filter(org="Northwind").count() == 1


@pytest.mark.parametrize(("org", "kwargs", "words"), [
    ("Northwind", {"display_name": "Northwind\x00"}, "NUL"),
    ("Northwind", {"display_name": "N" * (DISPLAY_NAME_MAX + 1)}, f"at most {DISPLAY_NAME_MAX}"),
    ("Northwind", {"signatories": [{"name": "Ada\x00", "title": "Dean"}]}, "Signatory 1"),
    ("Northwind", {"signatories": [{"name": "Ada", "title": "Dean\x00"}]}, "Signatory 1"),
    ("North\x00wind", {"display_name": "Northwind"}, "NUL"),
    ("O" * 256, {"display_name": "Northwind"}, "at most 255"),
])
def test_set_branding_refuses_what_the_database_cannot_hold(db, org, kwargs, words):
    with pytest.raises(api.BrandingError, match=words):
        api.set_branding(org, **kwargs)
    assert not OrganizationBranding.objects.exists()


def test_values_at_the_columns_limits_are_saved_whole(northwind):
    name = "N" * NAME_MAX
    created = api.create_template(name, html=SIMPLE, org="Northwind")
    brand = api.set_branding("Northwind", display_name="D" * DISPLAY_NAME_MAX)
    assert CertificateTemplate.objects.get(pk=created.pk).name == name
    assert OrganizationBranding.objects.get(pk=brand.pk).display_name == "D" * DISPLAY_NAME_MAX
