"""An organization's display name is the issuer on its certificates, and the editor's preview names the
same issuer as the real certificate (issue 14, point 11). Before, branding's "Display name" reached no
certificate, and the preview always said the sample "Northwind Academy".

The order, most specific first: the organization's display name, ``CERT_PLUGIN["ISSUER_NAME"]`` (whose
default is the platform's ``PLATFORM_NAME``), the organization's code (docs/decisions/0010)."""

from __future__ import annotations

import io

import lxml.html
import pytest
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from cert_plugin import api

DISPLAY_NAME = "Northwind Polytechnic Institute"  # not the demo's ISSUER_NAME


def _earn(lms, course, name="Amelia Okafor"):
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return certificate


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def _text(response) -> str:
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


@pytest.fixture
def northwind(lms):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    return {"course": course, "staff": lms.staff(course)}


def test_the_organizations_display_name_is_the_issuer_of_its_certificates(lms, northwind):
    api.set_branding("Northwind", display_name=DISPLAY_NAME)

    certificate = _earn(lms, northwind["course"])

    assert certificate.issuer_name == DISPLAY_NAME
    assert DISPLAY_NAME in _pdf_text(api.render_pdf(certificate))
    verified = Client().get(reverse("cert_plugin:api-verify", args=[certificate.formatted_code])).json()
    assert verified["issuer"] == DISPLAY_NAME


def test_without_a_display_name_the_setting_names_the_issuer_then_the_organization(lms, settings):
    contoso = lms.course(org="Contoso")
    api.configure_course(contoso.course_key)
    api.set_branding("Contoso", primary_color="#123456")  # a branding without a display name

    assert _earn(lms, contoso, "Ana Souza").issuer_name == settings.CERT_PLUGIN["ISSUER_NAME"]
    with override_settings(CERT_PLUGIN={**settings.CERT_PLUGIN, "ISSUER_NAME": ""}, PLATFORM_NAME=""):
        assert api.issuer_name_for("Contoso") == "Contoso"


def test_a_later_display_name_changes_only_certificates_issued_afterwards(lms, northwind):
    before = _earn(lms, northwind["course"], "Kenji Watanabe")
    api.set_branding("Northwind", display_name=DISPLAY_NAME)
    after = _earn(lms, northwind["course"], "Amelia Okafor")

    before.refresh_from_db()
    assert before.issuer_name != DISPLAY_NAME  # a snapshot
    assert after.issuer_name == DISPLAY_NAME


def test_the_preview_names_the_issuer_the_real_certificate_names(northwind):
    api.set_branding("Northwind", display_name=DISPLAY_NAME)
    template = api.create_template("Issuer only", org="Northwind", html="<h1>{{ issuer_name }}</h1>",
                                   css="h1 { font-size: 40pt; margin: 30mm; }")

    variable = api.preview_template(html="<h1>{{ issuer_name }}</h1>", css=template.current_version.css,
                                    template=template)
    literal = api.preview_template(html=f"<h1>{DISPLAY_NAME}</h1>", css=template.current_version.css,
                                   template=template)
    sample = api.preview_template(html="<h1>Northwind Academy</h1>", css=template.current_version.css,
                                  template=template)

    assert variable == literal  # the same pixels as the display name typed in
    assert variable != sample
    assert api.template_sample_data(template)["issuer_name"] == DISPLAY_NAME
    page = Client()
    page.force_login(northwind["staff"])
    text = _text(page.get(reverse("cert_plugin:template-edit", args=[template.pk])))
    assert DISPLAY_NAME in text
    assert "Northwind Academy" not in text


def test_the_branding_page_says_whom_certificates_will_name(northwind):
    client = Client()
    client.force_login(northwind["staff"])
    url = reverse("cert_plugin:branding", args=["Northwind"])

    page = client.get(url)
    saved = client.post(url, {"display_name": DISPLAY_NAME, "primary_color": "#1f3a5f",
                              "accent_color": "#b08d3c"}, follow=True)

    assert "name it as their issuer" in _text(page)
    assert (f"Branding saved. Certificates of Northwind issued from now on name “{DISPLAY_NAME}” as their "
            "issuer") in _text(saved)
