"""Issue 13, point 10: the demo runs with DEBUG off unless asked, and still serves its static files."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client


def _debug_with(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "DEVHOST_DEBUG"}
    return subprocess.run([sys.executable, "-c", "import devhost.settings as s; print(s.DEBUG)"],
                          env={**clean, **env}, capture_output=True, text=True, check=True).stdout.strip()


def test_debug_is_off_unless_asked():
    assert _debug_with({}) == "False"
    assert _debug_with({"DEVHOST_DEBUG": "1"}) == "True"


@pytest.mark.django_db
def test_static_files_are_served_and_a_404_lists_no_url_patterns():
    client = Client()
    css = client.get("/static/cert_plugin/certificate.css")
    assert css.status_code == 200
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert b"certs/verify" not in missing.content
    assert b"URLconf" not in missing.content
