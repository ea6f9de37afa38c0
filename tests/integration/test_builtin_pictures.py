"""A built-in template's picture (template list, version history) renders in process, as its
certificates do; only staff-written templates go to the limited child process.

A page of the template list asks for every picture at once. Forking a child per built-in picture
from a threaded server was where the list's pictures went missing under load (one failed render
and the list keeps a blank frame), for templates that need no limit: they ship with the plugin.
"""

from __future__ import annotations

import pytest

from cert_plugin import api
from cert_plugin.models import TemplateThumbnail
from cert_plugin.rendering import limits

RED = '<main style="width: 297mm; height: 210mm; background: #c81e1e"><h1>{{ learner_name }}</h1></main>'


@pytest.fixture
def forks(monkeypatch):
    """The renders sent to a child process, in order (run in process here, so they still answer)."""
    sent: list[str] = []

    def run_limited(func, *args, **kwargs):
        sent.append(args[0][:40])
        kwargs.pop("seconds"), kwargs.pop("memory_mb"), kwargs.pop("fork_guard", None)
        return func(*args, **kwargs)

    monkeypatch.setattr(limits, "run_limited", run_limited)
    return sent


def test_built_in_pictures_render_in_process_and_staff_ones_in_the_child(db, forks):
    red = api.create_template("Northwind red", org="Northwind", html=RED)
    TemplateThumbnail.objects.all().delete()  # as for versions saved before pictures existed
    forks.clear()  # the save's own trial render

    for template in api.builtin_templates():
        picture = api.template_thumbnail(template, template.current_version.number)
        assert picture.startswith(b"\x89PNG"), template.name
    assert forks == []

    assert api.template_thumbnail(red, red.current_version.number).startswith(b"\x89PNG")
    assert forks == [RED[:40]]
