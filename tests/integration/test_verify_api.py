"""``api-verify`` (JSON) and the per-client rate limit shared by every verify endpoint."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cert_plugin import api, ratelimit

FIELDS = {"status", "code", "learner_name", "course_title", "course_key", "issued_at", "expires_at", "hours",
          "issuer", "signature_valid", "signature"}

pytestmark = pytest.mark.usefixtures("no_render_task")



def _issued(lms, *, name="Amelia Okafor", **config):
    course = lms.course(title="Python for Data Analysis", hours="12")
    api.configure_course(course.course_key, **config)
    learner = lms.learner(course, name=name)
    return learner, api.issue(learner, course.course_key, reason="test")


def _api(code: str) -> str:
    return reverse("cert_plugin:api-verify", args=[code])


def _page(code: str) -> str:
    return reverse("cert_plugin:verify", args=[code])


def _slow_rate(settings, rate="3/m"):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "VERIFY_RATE": rate}


# ----------------------------------------------------------------------------- JSON


def test_a_valid_certificate_answers_with_its_snapshot(lms):
    _, certificate = _issued(lms)
    response = Client().get(_api(certificate.verification_code.lower()))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == FIELDS
    assert body["status"] == "valid"
    assert body["code"] == certificate.formatted_code
    assert body["learner_name"] == "Amelia Okafor"
    assert body["course_title"] == "Python for Data Analysis"
    assert body["course_key"] == str(certificate.course_key)
    assert body["issued_at"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["expires_at"] is None
    assert body["hours"] == "12.00"
    assert body["issuer"] == "Northwind Institute of Technology"
    assert body["signature_valid"] is True
    assert datetime.datetime.fromisoformat(body["issued_at"])  # ISO 8601


def test_a_revoked_certificate_answers_revoked_with_the_date(lms):
    _, certificate = _issued(lms)
    api.revoke(certificate, reason="Internal matter")
    body = Client().get(_api(certificate.formatted_code)).json()
    assert body["status"] == "revoked"
    assert set(body) == FIELDS | {"revoked_at"}
    assert datetime.datetime.fromisoformat(body["revoked_at"]).date() == timezone.now().date()
    assert "Internal matter" not in str(body)


def test_a_revoked_certificate_gives_the_reason_when_the_issuer_published_it(lms):
    _, certificate = _issued(lms)
    api.revoke(certificate, reason="Assessment not completed", publish_reason=True)
    body = Client().get(_api(certificate.formatted_code)).json()
    assert body["revoke_reason"] == "Assessment not completed"


def test_an_expired_certificate_answers_expired_and_names_the_newer_code(lms):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=800), tick=False):
        learner, old = _issued(lms, validity_days=365)
    newer = api.issue(learner, old.course_key, reason="recertified")
    body = Client().get(_api(old.formatted_code)).json()
    assert body["status"] == "expired"
    assert body["expires_at"] == old.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["newer_code"] == newer.formatted_code


def test_an_unsigned_certificate_has_null_signature_and_hours(lms, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "SIGNING_KEY": None}
    course = lms.course(hours=None)
    learner = lms.learner(course)
    certificate = api.issue(learner, course.course_key, reason="test")
    body = Client().get(_api(certificate.formatted_code)).json()
    assert body["signature_valid"] is None
    assert "signature" not in body  # nothing to check it with
    assert body["hours"] is None


@pytest.mark.parametrize("code", ["ZZZZ-9999-ZZZZ-9990", "not-a-code", "U" * 16])
def test_unknown_and_malformed_codes_answer_the_same_404(db, code):
    response = Client().get(_api(code))
    assert response.status_code == 404
    assert response.json() == {"status": "not_found"}


def test_the_answer_is_the_same_for_a_signed_in_visitor_and_needs_no_csrf(lms):
    learner, certificate = _issued(lms)
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.get(_api(certificate.formatted_code)).json()["status"] == "valid"


# ----------------------------------------------------------------------------- rate limit


def test_the_json_api_answers_429_with_retry_after_over_the_limit(db, settings, one_window):
    _slow_rate(settings)
    client = Client()
    for _ in range(3):
        assert client.get(_api("ZZZZ-9999-ZZZZ-9990")).status_code == 404
    response = client.get(_api("ZZZZ-9999-ZZZZ-9990"))
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json() == {"status": "rate_limited", "retry_after": retry_after}


def test_the_verify_page_answers_429_with_a_clear_page(lms, settings, one_window):
    _slow_rate(settings)
    _, certificate = _issued(lms)
    client = Client()
    for _ in range(3):
        assert client.get(_page(certificate.formatted_code)).status_code == 200
    response = client.get(_page(certificate.formatted_code))
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    text = " ".join(response.content.decode().split())
    assert "Too many verification requests" in text
    assert f"Wait {seconds} second" in text
    assert certificate.learner_name not in text


def test_junk_form_submissions_count_against_the_limit(db, settings, one_window):
    _slow_rate(settings)
    client = Client()
    for _ in range(3):
        assert client.get(reverse("cert_plugin:verify-form"), {"code": "guess"}).status_code == 200
    response = client.get(reverse("cert_plugin:verify-form"), {"code": "guess"})
    assert response.status_code == 429
    assert "Retry-After" in response


def test_pages_and_json_share_one_budget(db, settings, one_window):
    _slow_rate(settings)
    client = Client()
    client.get(_page("ZZZZ-9999-ZZZZ-9990"))
    client.get(_api("ZZZZ-9999-ZZZZ-9990"))
    client.get(reverse("cert_plugin:verify-form"), {"code": "guess"})
    assert client.get(_api("ZZZZ-9999-ZZZZ-9990")).status_code == 429


def test_the_limit_is_per_client(db, settings, one_window):
    _slow_rate(settings)
    for _ in range(4):
        Client(REMOTE_ADDR="203.0.113.7").get(_api("ZZZZ-9999-ZZZZ-9990"))
    assert Client(REMOTE_ADDR="203.0.113.7").get(_api("ZZZZ-9999-ZZZZ-9990")).status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.20").get(_api("ZZZZ-9999-ZZZZ-9990")).status_code == 404


def test_the_budget_comes_back_when_the_window_ends(db, settings):
    _slow_rate(settings)
    start = datetime.datetime(2026, 3, 1, 12, 0, 5, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        for _ in range(3):
            client.get(_api("ZZZZ-9999-ZZZZ-9990"))
        limited = client.get(_api("ZZZZ-9999-ZZZZ-9990"))
        assert limited.status_code == 429
        assert limited["Retry-After"] == "55"
        clock.shift(55)
        assert client.get(_api("ZZZZ-9999-ZZZZ-9990")).status_code == 404


def test_two_first_requests_at_once_both_count(db, settings, one_window, monkeypatch):
    """The counter is incremented first and only started when missing: a client whose first two
    requests race (both find no counter) is still counted twice, not once."""
    _slow_rate(settings, "2/m")
    real_add = ratelimit.cache.add
    raced = []

    def add_after_the_other_request(key, value, timeout=None):
        if not raced:  # the other request of this client started the counter a moment before us
            raced.append(key)
            real_add(key, 1, timeout=timeout)
        return real_add(key, value, timeout=timeout)

    monkeypatch.setattr(ratelimit.cache, "add", add_after_the_other_request)
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert client.get(_api("ZZZZ-9999-ZZZZ-9990")).status_code == 404
    assert raced, "the first request found no counter"
    assert client.get(_api("ZZZZ-9999-ZZZZ-9990")).status_code == 429


def test_no_rate_means_no_limit(db, settings):
    _slow_rate(settings, None)
    client = Client()
    assert all(client.get(_api("ZZZZ-9999-ZZZZ-9990")).status_code == 404 for _ in range(40))


def test_a_correct_code_typed_in_the_form_costs_one_request_not_two(lms, settings, one_window):
    _slow_rate(settings, "2/m")
    _, certificate = _issued(lms)
    client = Client()
    for _ in range(2):
        response = client.get(reverse("cert_plugin:verify-form"), {"code": certificate.formatted_code},
                              follow=True)
        assert response.status_code == 200


@pytest.mark.parametrize(("address", "client_id"), [
    ("203.0.113.7", "203.0.113.7"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    ("", "unknown"),
])
def test_clients_are_told_apart_by_address_with_ipv6_by_its_64_network(rf, address, client_id):
    request = rf.get("/", REMOTE_ADDR=address)
    assert ratelimit.client_id(request) == client_id
