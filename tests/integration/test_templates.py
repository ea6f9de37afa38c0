"""Course staff authoring templates: mistakes are explained when saving, never at download time."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from cert_plugin import api
from cert_plugin.models import CertificateTemplate, CertificateTemplateVersion

GOOD = """<main>
  {% if assets.logo %}<img src="{{ assets.logo }}" style="height: 20mm">{% endif %}
  <h1>{{ learner_name }}</h1>
  <p>{{ course_title }}</p>
  {% for person in signatories %}<p>{{ person.name }}, {{ person.title }}</p>{% endfor %}
  <p>{{ verification_code }}</p>
</main>"""


def _png(color=(31, 78, 121)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("html", "css", "line", "words"),
    [
        ("<p>{{ learner_name }}</p>\n<p>{% if %}</p>", "", 2, "if"),
        ("<p>\n{% include 'secrets.html' %}</p>", "", 2, "include"),
        ("{% extends 'base.html' %}", "", 1, "extends"),
        ("<p>ok</p>\n<p>ok</p>\n{% load static %}", "", 3, "load"),
        ("<p>{{ learner_name|safe }}</p>", "", 1, "safe"),
        ("<p>{{ learner_name }}</p>\n<p>{{ passwd }}</p>", "", 2, "passwd"),
        ("<p>{{ user.password }}</p>", "", 1, "user"),
        ('<img src="{{ assets.logo }}">', "", 1, "logo"),
        ("<p>{{ learner_name }}</p>", "p { color: red;\n  font-size: }}} }", None, "CSS"),
    ],
)
def test_a_broken_template_is_refused_with_line_and_reason(db, html, css, line, words):
    with pytest.raises(api.TemplateError) as caught:
        api.create_template("Broken", html=html, css=css)
    message = str(caught.value)
    assert words in message
    if line is not None:
        assert caught.value.line == line
        assert f"Line {line}" in message
    assert not CertificateTemplate.objects.filter(name="Broken").exists()


def test_a_template_that_spills_over_one_page_is_refused(db):
    html = "<main>{% for x in signatories %}{% endfor %}" + "<p>{{ learner_name }}</p>" * 80 + "</main>"
    with pytest.raises(api.TemplateError, match="one A4 page"):
        api.create_template("Too long", html=html)


def test_urls_in_a_template_are_not_an_error_but_never_fetched(db):
    html = '<main><img src="http://127.0.0.1:9/x.png"><p>{{ learner_name }}</p></main>'
    css = "body { background: url(file:///etc/passwd) }"
    template = api.create_template("With a URL", html=html, css=css)
    assert template.current_version.number == 1


def test_every_save_is_a_new_immutable_version_with_its_assets(db):
    logo = _png()
    template = api.create_template(
        "Northwind", html=GOOD, org="Northwind", assets={"logo": logo, "dean": _png((0, 0, 0))},
        options={"signatories": [{"name": "Dr. Ada Obi", "title": "Dean", "signature": "dean"}],
                 "honors": [[0.9, "With distinction"]]})
    first = template.current_version
    assert {a.name for a in first.assets.all()} == {"logo", "dean"}

    api.update_template(template, css="h1 { color: #7a1f1f; }", assets={"dean": None},
                        options={"signatories": [{"name": "Dr. Ada Obi", "title": "Dean"}]})
    second = template.current_version
    assert (first.number, second.number) == (1, 2)
    assert {a.name for a in second.assets.all()} == {"logo"}
    assert bytes(second.assets.get(name="logo").content) == logo
    assert second.html == GOOD
    assert second.css == "h1 { color: #7a1f1f; }"
    assert first.digest != second.digest
    with pytest.raises(ValueError, match="immutable"):
        first.save()

    api.restore_template_version(template, 1)
    third = template.current_version
    assert third.number == 3
    assert third.digest == first.digest
    assert {a.name for a in third.assets.all()} == {"logo", "dean"}


def test_a_signature_image_must_be_uploaded(db):
    with pytest.raises(api.TemplateError, match="not uploaded"):
        api.create_template("No image", html=GOOD,
                            options={"signatories": [{"name": "Dr. Ada Obi", "signature": "dean"}]})


@pytest.mark.parametrize(("assets", "words"), [
    ({"Logo!": _png()}, "lower-case"),
    ({"logo": b"MZ\x90\x00 not an image"}, "PNG, JPEG"),
    ({"logo": (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png")}, "does not contain"),
])
def test_bad_assets_are_refused(db, assets, words):
    with pytest.raises(api.TemplateError, match=words):
        api.create_template("Bad asset", html=GOOD, assets=assets)


def test_builtin_templates_cannot_be_edited(db):
    landscape, portrait = api.builtin_templates()[:2]
    assert landscape.current_version.orientation == "landscape"
    assert portrait.current_version.orientation == "portrait"
    with pytest.raises(api.TemplateError, match="Built-in"):
        api.update_template(landscape, css="h1 { color: red }")


def test_the_preview_is_a_png_of_sample_data(db):
    image = Image.open(io.BytesIO(api.preview_template(html=GOOD, orientation="portrait",
                                                       assets={"logo": _png()}, dpi=72)))
    assert image.format == "PNG"
    assert image.size[1] > image.size[0]  # portrait
    with pytest.raises(api.TemplateError, match="Line 1"):
        api.preview_template(html="{% include 'x' %}")


def test_the_variable_palette_names_every_documented_variable():
    documented = {"learner_name", "course_title", "course_key", "org", "hours", "grade", "issued_at",
                  "expires_at", "verification_code", "verify_url", "qr_svg", "issuer_name", "honors",
                  "assets", "signatories"}
    palette = api.template_variables()
    assert documented <= set(palette)
    assert all(palette[name].strip() for name in documented)


def test_version_digests_change_with_any_asset_byte(db):
    one = api.create_template("One", html=GOOD, assets={"logo": _png((1, 2, 3))}).current_version
    two = api.create_template("Two", html=GOOD, assets={"logo": _png((1, 2, 4))}).current_version
    assert isinstance(one, CertificateTemplateVersion)
    assert one.digest != two.digest


def test_an_optional_asset_may_be_used_inside_an_if_that_tests_for_it(db):
    html = ('<main>{% if assets.background %}<img src="{{ assets.background }}">{% endif %}'
            "<p>{{ learner_name }}</p></main>")
    assert api.create_template("Optional background", html=html).current_version.number == 1
    with pytest.raises(api.TemplateError, match="background"):
        api.create_template("Unguarded", html=html.replace("{% if assets.background %}", "{% if grade %}"))
