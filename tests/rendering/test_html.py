"""The template sandbox: what a course author is told when saving, and what learners' data can do."""

from __future__ import annotations

import pytest

from cert_plugin.rendering.html import TEMPLATE_VARIABLES, TemplateProblem, check_template, render_document
from tests.rendering.conftest import CSS, make_context, render, text_of


def problem(html: str, css: str = "", **kwargs: object) -> TemplateProblem:
    with pytest.raises(TemplateProblem) as info:
        check_template(html, css, **kwargs)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(("tag", "source"), [
    ("include", '{% include "admin/base.html" %}'),
    ("extends", '{% extends "base.html" %}'),
    ("load", "{% load static %}"),
    ("debug", "{% debug %}"),
    ("url", '{% url "admin:index" %}'),
    ("static", '{% static "logo.png" %}'),
    ("csrf_token", "{% csrf_token %}"),
    ("ssi", '{% ssi "/etc/passwd" %}'),
    ("autoescape", "{% autoescape off %}{{ learner_name }}{% endautoescape %}"),
])
def test_tags_outside_the_sandbox_are_refused_with_their_line(tag: str, source: str) -> None:
    exc = problem(f"<main>\n  <h1>{{{{ learner_name }}}}</h1>\n  {source}\n</main>")
    assert exc.line == 3
    assert str(exc).startswith(f"Line 3: the tag {{% {tag} %}} is not allowed in certificate templates")


@pytest.mark.parametrize("name", ["safe", "safeseq"])
def test_unescaping_filters_are_refused(name: str) -> None:
    exc = problem(f"<p>\n{{{{ learner_name|{name} }}}}</p>")
    assert str(exc).startswith(f"Line 2: the filter |{name} is not allowed")


def test_unknown_variable_is_named_with_the_known_ones() -> None:
    exc = problem("<p>{{ learner_name }}</p>\n\n<p>{{ student.email }}</p>")
    assert exc.line == 3
    assert "unknown variable 'student'" in exc.reason
    assert "learner_name" in exc.reason
    assert "verification_code" in exc.reason


@pytest.mark.parametrize(("source", "name"), [
    ("{% if secret_flag %}x{% endif %}", "secret_flag"),
    ("{% if grade %}{% elif user.is_staff %}{% endif %}", "user"),
    ("{% for s in signatories %}{{ s.name }}{% empty %}{{ s }}{% endfor %}", "s"),
    ("{{ learner_name|default:fallback }}", "fallback"),
    ("{% with who=learner_name %}{{ who }}{% endwith %}{{ who }}", "who"),
    ("{% for x in settings.SECRET_KEY %}{% endfor %}", "settings"),
])
def test_unknown_variables_are_found_in_conditions_filters_and_scopes(source: str, name: str) -> None:
    assert f"unknown variable '{name}'" in problem(source).reason


def test_loop_and_with_variables_and_every_documented_variable_are_accepted() -> None:
    html = "\n".join([
        *(f"{{{{ {name} }}}}" for name in TEMPLATE_VARIABLES),
        ("{% for s in signatories %}<p>{{ forloop.counter }}. {{ s.name|upper }}, {{ s.title }}"
        "{% if s.signature_url %}<img src=\"{{ s.signature_url }}\">{% endif %}</p>{% endfor %}"),
        "{% with who=learner_name|title %}{{ who }}{% endwith %}",
        "{% for name, url in assets.items %}{{ name }}={{ url }}{% endfor %}",
        "{% if grade and not expires_at %}{{ issued_at|default:'' }}{% endif %}",
        '{{ assets.logo }} {% now "Y" as year %}{{ year }}',
    ])
    check_template(html, CSS, asset_names=["logo"])


def test_missing_asset_is_reported() -> None:
    exc = problem("<main>\n<img src=\"{{ assets.logo }}\">\n</main>", asset_names=["seal"])
    assert str(exc).startswith("Line 2: there is no uploaded asset named 'logo'")
    assert "seal" in exc.reason


def test_syntax_errors_name_the_line() -> None:
    exc = problem("<main>\n{% if honors %}\n<p>{{ honors }}</p>\n</main>")
    assert str(exc) == "Line 2: the tag {% if %} is never closed; expected {% endif %}"
    assert problem("<p>\n{% endfor %}").line == 2


def test_css_errors_name_the_css_line() -> None:
    exc = problem("<p>{{ learner_name }}</p>", "h1 { font-size: 28pt; }\n\n\np { color red }\n")
    assert exc.line is None
    assert exc.css_line == 4
    assert str(exc).startswith("CSS line 4: ")
    assert problem("", 'p {\n  content: "never closed\n}').css_line == 2


def test_urls_in_templates_are_not_errors() -> None:
    check_template('<img src="https://example.com/logo.png">', "body { background: url(/x.png) }")


@pytest.fixture(scope="module")
def hostile_name_pdf() -> bytes:
    return render(learner_name='<script>alert(1)</script>{{ secret }}{% now "Y" %}')


def test_learner_data_is_printed_literally_and_never_executed(hostile_name_pdf: bytes) -> None:
    text = " ".join(text_of(hostile_name_pdf).split())
    assert '<script>alert(1)</script>{{ secret }}{% now "Y" %}' in text


def test_learner_data_is_escaped_in_the_document() -> None:
    context = make_context(learner_name="<b>x</b>{{ y }}")
    document = render_document("<h1>{{ learner_name }}</h1>", "", context, orientation="portrait",
                               title="t", author="a")
    assert "<h1>&lt;b&gt;x&lt;/b&gt;{{ y }}</h1>" in document


def test_document_carries_escaped_metadata_and_keeps_a4_after_the_template_css() -> None:
    document = render_document("<p>x</p>", "@page { size: letter; }", {}, orientation="portrait",
                               title='A "title" <b>', author="Acme & Co", subject="S", keywords=["a", "b"])
    assert "<title>A &quot;title&quot; &lt;b&gt;</title>" in document
    assert '<meta name="author" content="Acme &amp; Co">' in document
    assert document.index("size: letter") < document.index("size: A4 portrait")


def test_template_css_cannot_close_its_style_element() -> None:
    document = render_document("<p>x</p>", "p {}</style><script>alert(1)</script>", {},
                               orientation="landscape", title="t", author="a")
    assert "</style><script>" not in document


def test_a_filter_failing_on_the_values_is_a_template_problem_with_its_line() -> None:
    with pytest.raises(TemplateProblem) as info:
        render_document("<p>\n{{ hours|divisibleby:0 }}</p>", "", make_context(), orientation="portrait",
                        title="t", author="a")
    assert info.value.line == 2
