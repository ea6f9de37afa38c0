"""Issue 13, point 3 (in part): a staff template cannot make a render grow without bound.

Before, a 214-byte template of five nested loops over the learner's name passed
validation and took 24 s and 1.5 GB; `ljust:'300000000'` and 10 MB of CSS ran for
over 35 s; `api.create_template`/`preview_template` had no size limit at all.
"""

from __future__ import annotations

import threading

import pytest

from cert_plugin import api

NESTED = ("{% for a in learner_name %}{% for b in learner_name %}{% for c in learner_name %}"
          "{% for d in learner_name %}{% for e in learner_name %}{{ a }}{{ b }}{{ c }}{{ d }}{{ e }}"
          "{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}")


@pytest.mark.parametrize(("html", "css", "words"), [
    (NESTED, "", "loops of this template run more than"),
    ("<p>{{ learner_name|ljust:'300000000' }}</p>", "", "wider than"),
    ("<p>{{ learner_name|center:300000000 }}</p>", "", "wider than"),
    ('<p>{{ grade|stringformat:"0300000000d" }}</p>', "", "wider than"),
    ("<p>{{ grade|floatformat:300000000 }}</p>", "", "decimal places"),
    ("<p>{{ learner_name }}</p>" + "<p>x</p>" * 30_000, "", "too long"),
    ("<p>{{ learner_name }}</p>", "p { color: red }\n" * 600_000, "too long"),
])
def test_a_template_that_would_blow_up_is_refused_quickly_with_a_reason(db, html, css, words):
    outcome: dict[str, object] = {}

    def attempt():
        for call in (lambda: api.preview_template(html=html, css=css),
                     lambda: api.create_template("Hostile", html=html, css=css)):
            try:
                call()
            except api.TemplateError as exc:
                outcome.setdefault("errors", []).append(str(exc))  # type: ignore[union-attr]

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=60)  # before: 24 s to over 35 s for each, and gigabytes

    assert not worker.is_alive(), "the hostile template was still rendering"
    errors = outcome.get("errors")
    assert isinstance(errors, list)
    assert len(errors) == 2
    assert all(words in error for error in errors)
    assert not api.templates() or all(t.name != "Hostile" for t in api.templates())


def test_loops_a_certificate_needs_still_render(db):
    html = ("<h1>{% for letter in learner_name %}<span>{{ letter|upper|ljust:2 }}</span>{% endfor %}</h1>"
            "{% for s in signatories %}{{ s.name }}{% endfor %}<p>{{ grade|floatformat:2 }}</p>")

    assert api.preview_template(html=html).startswith(b"\x89PNG")
