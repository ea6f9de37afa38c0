"""Certificate files a screen reader can read (issue 17): the PDF tagged, in reading order, its pictures
described; the PNG carrying its text alternative.

The certificates are issued the way learners get them and read back from storage, signed, as a
learner downloads them. What is checked is what a screen reader relies on: the catalog says the PDF
is tagged (``MarkInfo``) and in which language; every piece of text drawn on the page belongs to
the structure tree (nothing is read out of order or skipped); headings and paragraphs are tagged
as such; each picture carries its alternative text; and the text read in the tree's order is the
certificate as a person reads it, top to bottom. The PDF stays PDF/A-3b and PAdES-signed.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pypdf
import pytest
import weasyprint
from django.urls import reverse

from cert_plugin import api
from cert_plugin.credentials import baking
from cert_plugin.rendering import png as png_module
from tests.e2e.helpers import northwind
from tests.helpers import client_for

# WeasyPrint 66 (the release Open edX's pins allow) tags only <img> as a figure; 67 and later also an
# inline <svg>, with its <title> as the alternative text: there the QR code is a described figure.
SVG_FIGURES = int(weasyprint.__version__.split(".")[0]) >= 67


@dataclass
class Tree:
    """A tagged PDF's structure, in reading order."""

    kinds: list[str] = field(default_factory=list)  # structure types, depth first
    figures: list[str | None] = field(default_factory=list)  # each figure's /Alt
    order: list[tuple[str, Any]] = field(default_factory=list)  # ("text", mcid) or ("figure", alt)
    covered: list[int] = field(default_factory=list)  # every marked-content id the tree holds


def _walk(node: Any, tree: Tree, *, figure: str | None = None) -> None:
    """Depth first; inside a described figure the content is read as the figure's /Alt, once."""
    node = node.get_object()
    kind = str(node.get("/S", ""))
    tree.kinds.append(kind)
    if kind == "/Figure" and figure is None:
        alt = node.get("/Alt")
        tree.figures.append(None if alt is None else str(alt))
        if alt is not None:
            tree.order.append(("figure", str(alt)))
            figure = str(alt)
    kids = node.get("/K")
    for kid in (kids if isinstance(kids, list) else [] if kids is None else [kids]):
        child = kid if isinstance(kid, int) else kid.get_object()
        if isinstance(child, int) or "/MCID" in child:  # marked content, or a reference to it
            mcid = child if isinstance(child, int) else int(child["/MCID"])
            tree.covered.append(mcid)
            if figure is None:
                tree.order.append(("text", mcid))
        elif "/S" in child:
            _walk(child, tree, figure=figure)


def _marked_text(page: Any) -> dict[int, str]:
    """The text drawn inside each marked-content sequence of the page, by MCID."""
    texts: dict[int, str] = defaultdict(str)
    stack: list[int | None] = []

    def before(operator: bytes, operands: list[Any], _cm: Any, _tm: Any) -> None:
        if operator == b"BDC":
            properties = operands[1] if len(operands) > 1 else None
            stack.append(int(properties["/MCID"]) if isinstance(properties, dict) and "/MCID" in properties
                         else None)
        elif operator == b"BMC":
            stack.append(None)
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(value: str, *_: Any) -> None:
        mcid = next((m for m in reversed(stack) if m is not None), None)
        if mcid is not None and value:
            texts[mcid] += value

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return dict(texts)


def _read(content: bytes) -> tuple[pypdf.PdfReader, Tree, dict[int, str]]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    tree = Tree()
    top = reader.trailer["/Root"]["/StructTreeRoot"]["/K"]
    for node in (top if isinstance(top, list) else [top]):
        _walk(node, tree)
    return reader, tree, _marked_text(reader.pages[0])


def _as_read(tree: Tree, texts: dict[int, str]) -> str:
    """What a screen reader says, walking the structure tree."""
    parts = [texts.get(value, "") if what == "text" else f"[{value}]" for what, value in tree.order]
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def _body(response: Any) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _earned(lms, orientation: str = "landscape"):
    """Amelia's certificate, earned in a Northwind course (logo, two signatures) issuing with the
    built-in template of that orientation; and a client signed in as her."""
    course, _staff, template = northwind(lms)
    if orientation == "portrait":
        base = api.builtin_templates()[1].current_version
        assert base.orientation == "portrait"
        template = api.create_template("Northwind portrait", org="Northwind", html=base.html, css=base.css,
                                       orientation="portrait")
        api.set_course_template(course.course_key, template)
    learner = lms.learner(course, name="Amelia Okafor")
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return certificate, client_for(learner)


def _certificate(lms, orientation: str):
    """The certificate and its PDF, downloaded as its learner does."""
    certificate, client = _earned(lms, orientation)
    pdf = client.get(reverse("cert_plugin:download-pdf", args=[certificate.formatted_code]))
    return certificate, _body(pdf)


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_the_certificate_is_a_tagged_pdf_read_in_order_with_its_pictures_described(lms, orientation):
    certificate, content = _certificate(lms, orientation)
    reader, tree, texts = _read(content)
    root = reader.trailer["/Root"]

    assert root["/MarkInfo"]["/Marked"] == pypdf.generic.BooleanObject(True)
    assert str(root["/Lang"]) == "en"
    assert {"/H1", "/P", "/Figure"} <= set(tree.kinds)
    # Every piece of text drawn on the page is in the tree, once: nothing is skipped or read twice.
    assert len(tree.covered) == len(set(tree.covered))
    outside = set(texts) - set(tree.covered)
    assert not outside, f"text outside the structure tree: {outside}"
    # Each picture says what it shows.
    code = certificate.formatted_code
    described = [alt for alt in tree.figures if alt]
    assert described[:1] == ["Northwind Institute of Technology"]  # the logo
    assert {"Signature of Dr. Ada Obi", "Signature of Marcus Lindqvist"} <= set(described)
    if SVG_FIGURES:
        assert f"QR code linking to the verification page for code {code}" in described
        assert None not in tree.figures

    read = _as_read(tree, texts)
    qr = f"[QR code linking to the verification page for code {code}]" if SVG_FIGURES else ""
    verify = [qr, "Verification code", code, "Verify at"]
    signatories = ["[Signature of Dr. Ada Obi]", "Dr. Ada Obi", "Dean of Continuing Education",
                   "[Signature of Marcus Lindqvist]", "Marcus Lindqvist"]
    # The landscape certificate's footer reads left to right (verification, signatories, seal); the
    # portrait one has its signatories above the footer.
    footer = [*verify, *signatories] if orientation == "landscape" else [*signatories, *verify]
    expected = ["[Northwind Institute of Technology]", "Northwind Institute of Technology", "Certificate",
                "This is to certify that", "Amelia Okafor", "has successfully completed the course",
                certificate.course_title, "Completed on",
                *footer, "Digitally signed by Northwind Institute of Technology"]
    _assert_read_in_order(read, [part for part in expected if part])


def _squashed(text: str) -> str:
    # Compared without spaces or case: CSS upper-cases some lines, and letter-spaced text comes out
    # of text extraction with a space between letters (the glyphs are the same).
    return re.sub(r"\s+", "", text).casefold()


def _assert_read_in_order(read: str, expected: list[str]) -> None:
    squashed, at = _squashed(read), 0
    for part in expected:
        found = squashed.find(_squashed(part), at)
        assert found >= 0, f"{part!r} is missing, or read out of order, in:\n{read}"
        at = found + len(_squashed(part))


def test_the_tagged_pdf_stays_pdf_a3b_and_signed(lms):
    certificate, content = _certificate(lms, "landscape")
    xmp = pypdf.PdfReader(io.BytesIO(content)).xmp_metadata
    assert xmp is not None
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp.stream.get_data()
    report = api.check_file(content)  # what the verify page's file check tells whoever drops it
    assert (report.status, report.pdf_signature) == ("valid", "valid")
    assert report.code == certificate.formatted_code


@pytest.mark.parametrize("query", ["", "?dpi=300", "?width=600"])
def test_the_png_carries_the_words_the_page_gives_its_image(lms, query):
    """Saved and shared on its own, the picture still says what it shows (its PNG ``Description``),
    in the words the certificate page gives the image as its alt text."""
    certificate, client = _earned(lms)
    code = certificate.formatted_code

    png = _body(client.get(reverse("cert_plugin:download-png", args=[code]) + query))

    described = "Certificate of completion for Amelia Okafor, Python for Data Analysis"
    assert png_module.description_of(png) == described
    page = client.get(reverse("cert_plugin:certificate", args=[code])).content.decode()
    assert f'alt="{described}"' in page
    assert baking.png_credential(png) is not None  # the credential baked in stays beside it
