"""The built-in certificate templates render as a printable one-page A4 certificate.

Every built-in is rendered through the real pipeline (sandboxed template -> HTML document ->
WeasyPrint PDF) with the sample context, and the PDF is read back with pypdf: one page, A4 in
the template's orientation, the learner's details in the text, optional lines only when set.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

import pypdf
import pytest

from cert_plugin.rendering.builtin import (
    ASSET_NAMES,
    BUILTIN_NAME,
    PORTRAIT_NAME,
    BuiltinTemplate,
    builtin_source,
    builtin_templates,
)
from cert_plugin.rendering.context import sample_context
from cert_plugin.rendering.html import check_template, render_document
from cert_plugin.rendering.pdf import render_pdf

A4_MM = (210, 297)
LONG_NAME = "Maximiliano Alexander Johannes Christophersen Vandenberghe de Oliveira"  # 70 characters
LONG_TITLE = ("Advanced Topics in Machine Learning Engineering: Scalable Data Pipelines, "
              "Model Deployment and Responsible AI in Practice")[:120]

TEMPLATES = builtin_templates()


def _id(template: BuiltinTemplate) -> str:
    return template.orientation


def _context(template: BuiltinTemplate, **overrides: Any) -> dict[str, Any]:
    context = sample_context(options=template.options)
    context.update(overrides)
    return context


def _render(template: BuiltinTemplate, **overrides: Any) -> pypdf.PdfReader:
    context = _context(template, **overrides)
    document = render_document(template.html, template.css, context, orientation=template.orientation,
                               title="Certificate", author=context["issuer_name"])
    return pypdf.PdfReader(io.BytesIO(render_pdf(document)))


def _text(reader: pypdf.PdfReader) -> str:
    """The page's text with all whitespace removed (line breaks fall anywhere in long text)."""
    return re.sub(r"\s+", "", reader.pages[0].extract_text())


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


def _page_mm(reader: pypdf.PdfReader) -> tuple[int, int]:
    box = reader.pages[0].mediabox
    return round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)


def test_the_default_comes_first_and_is_the_landscape_one():
    assert [(t.name, t.orientation) for t in TEMPLATES] == [
        (BUILTIN_NAME, "landscape"), (PORTRAIT_NAME, "portrait")]
    name, orientation, html, css = builtin_source()
    assert (name, orientation, html, css) == (TEMPLATES[0].name, TEMPLATES[0].orientation,
                                              TEMPLATES[0].html, TEMPLATES[0].css)


@pytest.mark.parametrize("template", TEMPLATES, ids=_id)
def test_the_sandbox_accepts_the_template(template):
    check_template(template.html, template.css, asset_names=(*ASSET_NAMES, *template.assets))


@pytest.mark.parametrize("template", TEMPLATES, ids=_id)
def test_colours_are_two_custom_properties(template):
    head = template.css[:template.css.index("}")]
    assert "--primary:" in head
    assert "--accent:" in head


@pytest.mark.parametrize("template", TEMPLATES, ids=_id)
def test_renders_one_a4_page_in_its_orientation_with_the_details(template):
    context = _context(template)
    reader = _render(template)

    assert len(reader.pages) == 1
    expected = A4_MM[::-1] if template.orientation == "landscape" else A4_MM
    assert _page_mm(reader) == expected
    text = _text(reader)
    for value in (context["learner_name"], context["course_title"], context["verification_code"],
                  context["issued_at"], context["expires_at"], context["grade"], context["honors"],
                  context["issuer_name"], context["verify_url"]):
        assert _squash(value) in text, value
    assert _squash(f"{context['hours']} hours") in text
    assert "certificate" in text.lower()


@pytest.mark.parametrize("template", TEMPLATES, ids=_id)
def test_a_long_name_and_title_still_fit_on_one_page(template):
    assert len(LONG_NAME) == 70
    assert len(LONG_TITLE) == 120
    reader = _render(template, learner_name=LONG_NAME, course_title=LONG_TITLE)

    assert len(reader.pages) == 1
    text = _text(reader)
    assert _squash(LONG_NAME) in text
    assert _squash(LONG_TITLE) in text


@pytest.mark.parametrize("template", TEMPLATES, ids=_id)
def test_optional_lines_are_absent_when_not_set(template):
    reader = _render(template, hours="", grade="", honors="", expires_at="")

    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text().lower()
    assert "hour" not in text  # no dangling "hours" word
    assert "duration" not in text
    assert "grade" not in text
    assert "distinction" not in text
    assert "valid until" not in text
    assert "completed on" in text


@pytest.mark.parametrize("template", TEMPLATES, ids=_id)
def test_signatories_or_the_issuer(template):
    signatories = [{"name": "Dr. Helen Carter", "title": "Dean of Continuing Education", "signature_url": ""},
                   {"name": "Prof. Rafael Mendes", "title": "Course Instructor", "signature_url": ""}]
    signed = _text(_render(template, signatories=signatories))
    assert "Dr.HelenCarter" in signed
    assert "CourseInstructor" in signed
    assert "issuedby" not in signed.lower()

    unsigned = _text(_render(template, signatories=[]))
    assert "issuedby" in unsigned.lower()
    assert _squash(_context(template)["issuer_name"]) in unsigned


@pytest.mark.parametrize("template", TEMPLATES, ids=_id)
@pytest.mark.parametrize("name", ["محمد عبد الله الفارسي", "王小明", "דוד כהן"],
                         ids=["arabic", "chinese", "hebrew"])
def test_names_in_other_scripts_render_with_real_glyphs(template, name, caplog):
    with caplog.at_level(logging.WARNING, logger="cert_plugin.rendering"):
        reader = _render(template, learner_name=name)

    assert len(reader.pages) == 1
    assert not [record for record in caplog.records if "missing glyph" in record.getMessage()]
    assert 'dir="auto">{{ learner_name }}' in template.html
