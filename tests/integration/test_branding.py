"""An organization's branding (logo, colours, signatories) and the templates that inherit it.

Branding is copied into a template version when the template is created, so changing the
branding later never alters templates that exist or certificates already issued.
"""

from __future__ import annotations

import io

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from cert_plugin import api

PRIMARY = "#d01c8b"  # a magenta no built-in uses
ACCENT = "#1b9e77"


def _png(color=(200, 20, 20), size=(240, 120)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(response) -> str:
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


def _from_builtin(name: str, org: str, **extra):
    base = api.builtin_templates()[0].current_version
    return api.create_template(name, org=org, html=base.html, css=base.css, orientation=base.orientation,
                               **extra)


def _near(pixel, hex_color: str, tolerance: int = 24) -> bool:
    target = tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], target, strict=True))


def _share_of(png: bytes, hex_color: str) -> float:
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((400, 283))
    pixels = list(image.get_flattened_data())
    return sum(1 for pixel in pixels if _near(pixel, hex_color)) / len(pixels)


@pytest.fixture
def branded(db):
    return api.set_branding(
        "Northwind", display_name="Northwind Institute of Technology",
        primary_color=PRIMARY, accent_color=ACCENT,
        signatories=[{"name": "Dr. Ada Obi", "title": "Dean", "signature": "signature_1"}],
        assets={"logo": _png((200, 20, 20)), "signature_1": _png((10, 10, 10), (200, 60))})


def test_a_new_template_of_the_organization_inherits_logo_signatories_and_colours(branded):
    template = _from_builtin("Northwind", "Northwind")

    version = template.current_version
    assert {asset.name for asset in version.assets.all()} == {"logo", "signature_1"}
    assert bytes(version.assets.get(name="logo").content) == _png((200, 20, 20))
    assert version.options["signatories"] == [
        {"name": "Dr. Ada Obi", "title": "Dean", "signature": "signature_1"}]
    assert version.options["colors"] == {"primary": PRIMARY, "accent": ACCENT}


def test_the_inherited_primary_colour_shows_on_the_certificate(branded):
    plain = api.preview_template_version(_from_builtin("Plain", ""), 1, dpi=72)
    branded_png = api.preview_template_version(_from_builtin("Northwind", "Northwind"), 1, dpi=72)

    assert _share_of(plain, PRIMARY) == 0
    assert _share_of(branded_png, PRIMARY) > 0.01  # the frame, headings and name in magenta


def test_what_the_caller_gives_wins_over_the_branding(branded):
    template = _from_builtin("Own", "Northwind", assets={"logo": _png((0, 0, 200))},
                             options={"signatories": [{"name": "Someone Else"}],
                                      "colors": {"primary": "#000080", "accent": "#808000"}})
    version = template.current_version
    assert bytes(version.assets.get(name="logo").content) == _png((0, 0, 200))
    assert version.options["signatories"] == [{"name": "Someone Else", "title": "", "signature": ""}]
    assert version.options["colors"] == {"primary": "#000080", "accent": "#808000"}
    assert not version.assets.filter(name="signature_1").exists()


def test_later_branding_changes_never_alter_templates_or_issued_certificates(lms, branded):
    course = lms.course(org="Northwind")
    template = _from_builtin("Northwind", "Northwind")
    api.configure_course(course.course_key, template=template)
    learner = lms.learner(course)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    before = api.render_pdf(certificate)
    digest = template.current_version.digest

    api.set_branding("Northwind", primary_color="#00ff00", assets={"logo": _png((0, 255, 0))},
                     signatories=[])

    assert template.current_version.digest == digest
    assert template.current_version.options["colors"]["primary"] == PRIMARY
    certificate.refresh_from_db()
    assert api.render_pdf(certificate) == before
    assert _share_of(api.render_png(certificate), PRIMARY) > 0.01
    newer = _from_builtin("Northwind 2", "Northwind").current_version
    assert newer.options["colors"]["primary"] == "#00ff00"
    assert "signatories" not in newer.options or newer.options["signatories"] == []


@pytest.mark.parametrize(("changes", "words"), [
    ({"primary_color": "red"}, "#rrggbb"),
    ({"accent_color": "#12345"}, "#rrggbb"),
    ({"signatories": [{"name": "Dr. Ada Obi", "signature": "missing"}]}, "not uploaded"),
    ({"signatories": [{"title": "Dean"}]}, "needs a name"),
    ({"assets": {"logo": b"plain text"}}, "not a PNG, JPEG"),
])
def test_bad_branding_is_refused_with_a_reason(db, changes, words):
    with pytest.raises(api.BrandingError, match=words):
        api.set_branding("Northwind", **changes)
    assert api.branding("Northwind") is None


def test_the_rendered_document_sets_the_colours_after_the_templates_css():
    from cert_plugin.rendering.html import render_document

    document = render_document("<p>x</p>", ":root { --primary: #111111 }", {}, orientation="landscape",
                               title="t", author="a", colors={"primary": PRIMARY, "accent": "bad"})
    assert document.index("--primary: #111111") < document.index(f"--primary: {PRIMARY}")
    assert "bad" not in document


# --------------------------------------------------------------------------- the branding page


@pytest.fixture
def northwind(lms):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    return {"course": course, "staff": lms.staff(course), "learner": lms.learner(course)}


def _url(org="Northwind") -> str:
    return reverse("cert_plugin:branding", args=[org])


def test_course_staff_set_their_organizations_branding_in_the_browser(northwind):
    client = _client(northwind["staff"])
    assert client.get(_url()).status_code == 200

    response = client.post(_url(), {
        "display_name": "Northwind Institute", "primary_color": PRIMARY, "accent_color": ACCENT,
        "logo": SimpleUploadedFile("logo.png", _png(), "image/png"),
        "signatory-0-name": "Dr. Ada Obi", "signatory-0-title": "Dean",
        "signatory-0-file": SimpleUploadedFile("sig.png", _png((0, 0, 0)), "image/png"),
    })

    assert response.status_code == 303
    brand = api.branding("Northwind")
    assert brand.display_name == "Northwind Institute"
    assert (brand.primary_color, brand.accent_color) == (PRIMARY, ACCENT)
    assert brand.signatories == [{"name": "Dr. Ada Obi", "title": "Dean", "signature": "signature_1"}]
    page = client.get(_url())
    assert "Branding saved" in _text(page)
    logo = reverse("cert_plugin:branding-asset", args=["Northwind", "logo"])
    assert client.get(logo).content == _png()
    assert _client(northwind["learner"]).get(logo).status_code == 403

    created = client.post(reverse("cert_plugin:template-create"), {
        "source": api.builtin_templates()[0].pk, "name": "Branded", "org": "Northwind"})
    assert created.status_code == 303
    [template] = [t for t in api.templates(org="Northwind") if t.name == "Branded"]
    assert template.current_version.options["colors"]["primary"] == PRIMARY
    assert template.current_version.assets.filter(name="logo").exists()


def test_a_bad_branding_form_keeps_what_was_typed(northwind):
    response = _client(northwind["staff"]).post(_url(), {
        "display_name": "Northwind Institute", "primary_color": "#1f3a5f", "accent_color": ACCENT,
        "logo": SimpleUploadedFile("logo.txt", b"not an image", "text/plain"),
        "signatory-0-name": "Dr. Ada Obi", "signatory-0-title": "Dean"})

    assert response.status_code == 400
    assert "not a PNG, JPEG" in _text(response)
    page = lxml.html.fromstring(response.content.decode())
    assert page.xpath("//input[@name='display_name']/@value") == ["Northwind Institute"]
    assert page.xpath("//input[@name='signatory-0-name']/@value") == ["Dr. Ada Obi"]
    assert api.branding("Northwind") is None


def test_only_the_organizations_staff_may_open_its_branding(lms, northwind):
    assert _client(northwind["learner"]).get(_url()).status_code == 403
    assert _client(northwind["staff"]).get(_url("Contoso")).status_code == 403
    anonymous = _client().get(_url())
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
