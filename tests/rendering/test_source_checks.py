"""What a template's author is told before saving about mistakes that would otherwise pass silently
(issue 14, point 10): a Django tag left open prints as typed, a CSS syntax error swallows the rules
after it, and an address the renderer never fetches simply does not appear."""

from __future__ import annotations

import pytest

from cert_plugin.rendering import builtin
from cert_plugin.rendering.html import TemplateProblem, check_template, template_notices


def problem(html: str, css: str = "") -> TemplateProblem:
    with pytest.raises(TemplateProblem) as info:
        check_template(html, css)
    return info.value


# --------------------------------------------------------------------------- Django tags left open


def test_an_unclosed_variable_is_refused_with_its_line_instead_of_printing_as_typed() -> None:
    exc = problem("<main>\n  <h1>Certificate</h1>\n  <p>{{ learner_name </p>\n</main>")
    assert exc.line == 3
    assert str(exc) == "Line 3: “{{ learner_name </p>” is never closed with }}, so it would print as typed."


def test_a_variable_broken_across_two_lines_is_refused_at_its_first_line() -> None:
    exc = problem("<main>\n  <p>{{ learner_name\n  }}</p>\n</main>")
    assert exc.line == 2
    assert "must open and close on the same line" in exc.reason


@pytest.mark.parametrize(("html", "line", "words"), [
    ("<p>\n{% if honors </p>\n{% endif %}", 2, "“{% if honors </p>” is never closed with %}"),
    ("<p>{# a note for the next author</p>", 1, "never closed with #}"),
    ("<p>\n\n{% if grade %}{{ grade }}{% endif %} and {% now 'Y'</p>", 3, "never closed with %}"),
])
def test_unclosed_tags_and_comments_are_refused_with_their_line(html: str, line: int, words: str) -> None:
    exc = problem(html)
    assert exc.line == line
    assert words in exc.reason


def test_braces_in_comments_and_verbatim_blocks_are_left_alone() -> None:
    check_template("{% comment %}\n{{ draft\n{% endcomment %}\n"
                   "{% verbatim %}<p>{{ not a tag</p>{% endverbatim %}\n<p>{{ learner_name }}</p>")


# --------------------------------------------------------------------------- CSS syntax


@pytest.mark.parametrize(("css", "line", "words"), [
    # The "{" of .title is never closed: every rule after it was read as part of it (and the page ran
    # over several sheets with no word of why).
    (".page { width: 297mm; }\n.title { font-size: 28pt;\n.name { font-size: 40pt; }\n", 2,
     "the “{” opened here is never closed with “}”"),
    (".page { height: 210mm; }\n}\n.name { color: navy; }", 2, "this “}” closes nothing"),
    (".page { height: 210mm\n  overflow: hidden; }", 1, "a “;” is missing before “overflow”"),
    (".page { color navy; }", 1, "this is not a declaration"),
    ("h1 { color: navy; }\n/* the titles\nh2 { color: red; }", 2, "never closed with */"),
    ("h1 { color: navy; };\nh2 { color: red; }", 1, "this “;” is outside any { … } block"),
    ("h1 { color: navy; }\n\nsection h2", 3, "this text is not a rule"),
    ("h1 { width: calc(100% - 2mm; }", 1, "the “calc(” opened here is never closed with “)”"),
    ("h1 { font-size: ; }", 1, "“font-size” has no value"),
    ("@media print {\n  h1 { color: navy; }\n  h2 { color red }\n}", 3, "this is not a declaration"),
])
def test_css_syntax_errors_are_refused_with_their_css_line(css: str, line: int, words: str) -> None:
    exc = problem("<main><h1>{{ learner_name }}</h1></main>", css)
    assert exc.css_line == line
    assert exc.line is None
    assert str(exc).startswith(f"CSS line {line}: ")
    assert words in exc.reason


def test_valid_stylesheets_pass_the_built_in_ones_and_at_rules() -> None:
    for source in builtin.builtin_templates():
        check_template(source.html, source.css, asset_names=builtin.ASSET_NAMES)
    check_template("<p>x</p>", "@page { size: A4; @top-center { content: 'x' } }\n"
                               "@font-face { font-family: Mine; src: url(asset:font) }\n"
                               ":root { --primary: #123456; --odd: a:b; }\n"
                               "@media print { h1 { color: var(--primary) } }\n"
                               "p::before { content: \"{ ; }\" }")


# --------------------------------------------------------------------------- addresses never fetched


def test_every_address_the_renderer_never_fetches_is_a_notice_with_its_line() -> None:
    html = ('<main>\n'
            '  <img src="https://cdn.example.com/logo.png" alt="">\n'
            '  <link rel="stylesheet" href="https://fonts.example.com/serif.css">\n'
            '  <style>\n'
            '    .seal { background: url(https://cdn.example.com/seal.png) }\n'
            '  </style>\n'
            '  <div style="background-image: url(\'/static/paper.jpg\')"></div>\n'
            '  <img src="{{ assets.logo }}" alt=""> <img src="data:image/png;base64,iVBO" alt="">\n'
            '  <a href="https://example.com/about">links are not loaded</a>\n'
            '</main>')
    css = ("@import url(https://example.com/theme.css);\nh1 { color: navy }\n"
           ".frame { background: url(frame.png) }")

    notices = [notice for notice in template_notices(html, css) if notice.kind == "address"]

    assert [(n.field, n.line if n.field == "html" else n.css_line, n.url) for n in notices] == [
        ("html", 2, "https://cdn.example.com/logo.png"),
        ("html", 3, "https://fonts.example.com/serif.css"),
        ("html", 5, "https://cdn.example.com/seal.png"),
        ("html", 7, "/static/paper.jpg"),
        ("css", 1, "https://example.com/theme.css"),
        ("css", 3, "frame.png"),
    ]
    assert str(notices[0]) == ("Line 2: https://cdn.example.com/logo.png will never be loaded: "
                               "certificates are made without internet access. Upload the image under "
                               "Images and use {{ assets.NAME }} instead.")
    assert str(notices[4]).startswith("CSS line 1: @import https://example.com/theme.css will never be")
    assert "url(asset:NAME)" in str(notices[5])


def test_urls_are_notices_never_errors_and_assets_are_not_mentioned() -> None:
    html = '<img src="https://example.com/logo.png">'
    check_template(html, "body { background: url(/x.png) }")  # saving is not refused
    css = ".a { background: url(asset:logo) } .b { background: url('data:image/png;base64,x') }"
    images = '<img src="{{ assets.logo }}" alt="Logo"><img srcset="{{ assets.logo }} 2x" alt="Logo">'
    assert template_notices(images, css) == []
    for source in builtin.builtin_templates():  # no address, and every image described
        assert template_notices(source.html, source.css) == []


def test_images_without_alt_text_are_notices_with_their_line() -> None:
    html = ('<main>\n  <img src="{{ assets.logo }}">\n  <img src="{{ assets.seal }}" alt="  ">\n'
            '  <img src="{{ assets.stamp }}" alt="The institution\'s stamp">\n</main>')
    notices = template_notices(html)
    assert [(notice.kind, notice.line) for notice in notices] == [("alt", 2), ("alt", 3)]
    assert "has no alt text" in notices[0].reason
    assert "CSS background" in notices[1].reason
