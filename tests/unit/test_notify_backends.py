"""The notification backends and the NOTIFY settings, without the LMS: what an integrator sees.

The webhook is received by a real HTTP server on the loopback interface.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from cert_plugin import conf
from cert_plugin.notify import Notification, build
from cert_plugin.notify.email import EmailBackend
from cert_plugin.notify.webhook import WebhookBackend, WebhookError


@dataclass
class Hook:
    """A loopback webhook receiver: answers with ``statuses`` in turn (then 200) and keeps requests."""

    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@contextmanager
def webhook_server(*statuses: int) -> Iterator[Hook]:
    hook = Hook(statuses=list(statuses))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = hook.statuses.pop(0) if hook.statuses else 200
            self.send_response(status)
            if status in (301, 302):
                self.send_header("Location", hook.url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/certs"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def signed_correctly(headers: dict[str, str], body: bytes, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("x-cert-plugin-signature", ""), expected)


def _message(event: str = "issued", **overrides: object) -> Notification:
    values: dict = {
        "event": event, "code": "7K3M-9QRT-X2VD-4HNB", "learner_name": "Amelia Okafor",
        "learner_email": "amelia@example.org", "language": "en",
        "course_key": "course-v1:Northwind+PY101+2026", "course_title": "Python for Data Analysis",
        "issuer_name": "Northwind Institute of Technology",
        "issued_at": dt.datetime(2026, 3, 15, 10, 0, tzinfo=dt.UTC), "expires_at": None,
        "certificate_url": "https://lms.example.org/certs/7K3M-9QRT-X2VD-4HNB/",
        "pdf_url": "https://lms.example.org/certs/7K3M-9QRT-X2VD-4HNB.pdf",
        "verify_url": "https://lms.example.org/certs/verify/7K3M-9QRT-X2VD-4HNB/",
    }
    values.update(overrides)
    return build(**values)


# --------------------------------------------------------------------------- webhook


def test_the_webhook_posts_the_certificate_as_json_with_a_valid_signature():
    with webhook_server() as hook:
        WebhookBackend(url=hook.url, secret="s3cret").send(_message())

    [(headers, body)] = hook.requests
    assert signed_correctly(headers, body, "s3cret")
    assert not signed_correctly(headers, body, "another secret")
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body) == {
        "event": "issued", "code": "7K3M-9QRT-X2VD-4HNB",
        "learner": {"name": "Amelia Okafor", "email": "amelia@example.org", "language": "en"},
        "course_key": "course-v1:Northwind+PY101+2026", "course_title": "Python for Data Analysis",
        "issued_at": "2026-03-15T10:00:00+00:00", "expires_at": None,
        "verify_url": "https://lms.example.org/certs/verify/7K3M-9QRT-X2VD-4HNB/",
        "certificate_url": "https://lms.example.org/certs/7K3M-9QRT-X2VD-4HNB/",
        "pdf_url": "https://lms.example.org/certs/7K3M-9QRT-X2VD-4HNB.pdf",
    }


@pytest.mark.parametrize("status", [500, 404, 302])
def test_a_webhook_answer_other_than_2xx_raises_so_the_delivery_is_retried(status):
    with webhook_server(status) as hook, pytest.raises(WebhookError, match=str(status)):
        WebhookBackend(url=hook.url, secret="s3cret").send(_message())
    assert len(hook.requests) == 1  # a redirect is not followed with the signed body


@pytest.mark.parametrize(("options", "complaint"), [
    ({"url": "ftp://example.org/x", "secret": "s"}, '"url" must be an absolute http(s) URL'),
    ({"url": "https://hooks.example.org/x", "secret": ""}, '"secret" must be a non-empty string'),
    ({"url": "https://hooks.example.org/x", "secret": "s", "timeout": 0}, '"timeout"'),
])
def test_the_webhook_refuses_bad_options(options, complaint):
    with pytest.raises(ValueError, match=re.escape(complaint)):
        WebhookBackend(**options)


# --------------------------------------------------------------------------- email


def test_the_email_has_a_plain_text_and_an_html_part(mailoutbox, settings):
    settings.CERT_PLUGIN = {"NOTIFY": {"FROM_EMAIL": "certificates@northwind.example"}}
    EmailBackend().send(_message())

    [email] = mailoutbox
    assert email.subject == "Your certificate for Python for Data Analysis is ready"
    assert email.to == ["amelia@example.org"]
    assert email.from_email == "certificates@northwind.example"
    assert "https://lms.example.org/certs/7K3M-9QRT-X2VD-4HNB.pdf" in email.body
    [(html, mime)] = email.alternatives
    assert mime == "text/html"
    assert 'href="https://lms.example.org/certs/7K3M-9QRT-X2VD-4HNB.pdf"' in html


def test_names_and_titles_are_escaped_in_html_and_literal_in_text():
    message = _message(learner_name="<script>alert(1)</script> Amelia", course_title="R & <b>D</b>")
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Amelia" in message.html
    assert "R &amp; &lt;b&gt;D&lt;/b&gt;" in message.html
    assert "<script>alert(1)</script> Amelia" in message.text
    assert message.subject == "Your certificate for R & <b>D</b> is ready"


def test_each_event_has_its_own_message():
    expires = dt.datetime(2026, 9, 30, tzinfo=dt.UTC)
    assert _message("reissued").subject == "Your certificate for Python for Data Analysis was updated"
    assert "keeps its verification code" in _message("reissued").text
    assert "revoked" in _message("revoked").text
    expiring = _message("expiring", expires_at=expires, course_url="https://lms.example.org/courses/x/")
    assert "expires on Sept. 30, 2026" in expiring.text
    assert "Recertify: https://lms.example.org/courses/x/" in expiring.text


def test_dates_are_written_in_the_learners_language():
    message = _message(language="fr")
    assert "15 mars 2026" in message.text
    assert 'lang="fr"' in message.html


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(("notify", "complaint"), [
    ("email", 'CERT_PLUGIN["NOTIFY"] must be a dict'),
    ({"BACKEND": []}, 'CERT_PLUGIN["NOTIFY"] has unknown key(s) BACKEND'),
    ({"EVENTS": ["issued", "graduated"]}, 'CERT_PLUGIN["NOTIFY"]["EVENTS"] must be a list of events'),
    ({"EXPIRY_REMINDER_DAYS": 30}, 'CERT_PLUGIN["NOTIFY"]["EXPIRY_REMINDER_DAYS"] must be a list'),
    ({"EXPIRY_REMINDER_DAYS": [30, 0]}, 'CERT_PLUGIN["NOTIFY"]["EXPIRY_REMINDER_DAYS"] must be a list'),
    ({"BACKENDS": "cert_plugin.notify.email.EmailBackend"},
     'CERT_PLUGIN["NOTIFY"]["BACKENDS"] must be a list'),
    ({"BACKENDS": ["cert_plugin.notify.email.EmailBackend", "cert_plugin.notify.sms.Nope"]},
     'CERT_PLUGIN["NOTIFY"]["BACKENDS"][1] names a backend that cannot be imported'),
    ({"BACKENDS": [{"class": "cert_plugin.notify.webhook.WebhookBackend", "url": "https://h.example.org/"}]},
     'CERT_PLUGIN["NOTIFY"]["BACKENDS"][0] has bad options'),
    ({"BACKENDS": [{"url": "https://h.example.org/"}]},
     'CERT_PLUGIN["NOTIFY"]["BACKENDS"][0] must name its backend class under "class"'),
    ({"BACKENDS": ["cert_plugin.notify.Notification"]}, "has bad options"),
    ({"COURSE_URL": "{base_url}/c/{course}"}, 'CERT_PLUGIN["NOTIFY"]["COURSE_URL"] may use only'),
])
def test_malformed_notify_settings_are_reported_naming_the_key(settings, notify, complaint):
    settings.CERT_PLUGIN = {"NOTIFY": notify}
    found = conf.problems()
    assert any(complaint in problem for problem in found), found


def test_events_out_must_be_a_boolean(settings):
    settings.CERT_PLUGIN = {"EVENTS_OUT": "yes"}
    assert conf.problems() == ['CERT_PLUGIN["EVENTS_OUT"] must be True or False.']


def test_a_full_notify_setting_is_accepted(settings):
    settings.CERT_PLUGIN = {"EVENTS_OUT": True, "NOTIFY": {
        "BACKENDS": ["cert_plugin.notify.email.EmailBackend",
                     {"class": "cert_plugin.notify.webhook.WebhookBackend", "url": "https://h.example.org/",
                      "secret": "s", "timeout": 3}],
        "EVENTS": ["issued", "reissued", "revoked", "expiring"],
        "EXPIRY_REMINDER_DAYS": [30, 7],
        "FROM_EMAIL": "certificates@northwind.example",
        "COURSE_URL": "{base_url}/courses/{course_key}/about",
    }}
    assert conf.problems() == []
