"""Verify answers kept for the next visitor (issue 16), as the people who verify meet them.

A kept answer must never say anything the certificate no longer says: each test changes the
certificate (revokes, publishes, renames, expires it) after someone verified it, then verifies
again, the way a second visitor would, anonymously and in another language.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cert_plugin import api
from cert_plugin.models import Certificate
from cert_plugin.rest_api.v1 import verify as verify_view
from cert_plugin.views import verify_answers
from devhost.lms.models import Profile

pytestmark = pytest.mark.usefixtures("no_render_task")

PT = {"HTTP_ACCEPT_LANGUAGE": "pt-BR"}


def _issued(lms, *, name="Kenji Watanabe", **config):
    course = lms.course(title="Safety Officer Certification", hours="40")
    api.configure_course(course.course_key, **config)
    learner = lms.learner(course, name=name)
    return learner, api.issue(learner, course.course_key, reason="test")


def _page(certificate) -> str:
    return reverse("cert_plugin:verify", args=[certificate.formatted_code])


def _json(certificate) -> str:
    return reverse("cert_plugin:api-verify", args=[certificate.formatted_code])


def _queries(url: str, **extra) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(url, **extra)
    return len(captured), response


def test_a_revocation_shows_at_once_to_the_next_visitor_of_page_and_json(lms):
    _, certificate = _issued(lms)
    assert "This certificate is valid" in Client().get(_page(certificate)).content.decode()
    assert Client().get(_json(certificate)).json()["status"] == "valid"
    assert _queries(_page(certificate))[0] == 0  # the second visitor got the kept answer

    api.revoke(certificate, reason="The final assessment was not completed.", publish_reason=True)

    page = Client().get(_page(certificate)).content.decode()
    assert "This certificate has been revoked" in page
    assert "The final assessment was not completed." in page
    assert Client().get(_json(certificate)).json()["status"] == "revoked"


def test_a_browser_revalidates_with_the_etag_and_gets_304_until_the_certificate_changes(lms):
    _, certificate = _issued(lms)
    first = Client().get(_page(certificate))
    assert first["Cache-Control"] == "no-cache"
    etag = first["ETag"]

    count, again = _queries(_page(certificate), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert count == 0

    api.revoke(certificate, reason="mistake")
    changed = Client().get(_page(certificate), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "This certificate has been revoked" in changed.content.decode()


def test_the_json_answer_has_its_own_etag_and_the_same_body_when_kept(lms):
    _, certificate = _issued(lms)
    first = Client().get(_json(certificate))
    count, kept = _queries(_json(certificate))

    assert count == 0
    assert kept.json() == first.json()
    assert kept["Content-Type"] == "application/json"
    assert Client().get(_json(certificate), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_each_language_gets_its_own_page(lms):
    _, certificate = _issued(lms)
    english = Client().get(_page(certificate))
    portuguese = Client().get(_page(certificate), **PT)
    english_again = Client().get(_page(certificate))

    assert "Este certificado é válido" in portuguese.content.decode()
    assert portuguese["Content-Language"] == "pt-br"
    assert english_again.content == english.content
    assert english_again["Content-Language"] == "en"
    assert "Accept-Language" in english_again["Vary"]


def test_the_owner_sees_their_downloads_and_strangers_never_get_the_owners_page(lms):
    learner, certificate = _issued(lms)
    download = reverse("cert_plugin:download-pdf", args=[certificate.formatted_code])
    stranger_first = Client().get(_page(certificate)).content.decode()

    owner = Client()
    owner.force_login(learner)
    owners_page = owner.get(_page(certificate))
    stranger_then = Client().get(_page(certificate)).content.decode()

    assert download not in stranger_first
    assert f'href="{download}"' in owners_page.content.decode()
    assert "no-store" in owners_page["Cache-Control"]  # built for the owner alone, never kept
    assert download not in stranger_then


def test_publishing_offers_the_files_to_the_next_anonymous_visitor(lms):
    _, certificate = _issued(lms)
    download = reverse("cert_plugin:download-pdf", args=[certificate.formatted_code])
    assert download not in Client().get(_page(certificate)).content.decode()

    api.set_public(certificate, True)

    assert f'href="{download}"' in Client().get(_page(certificate)).content.decode()


def test_a_reissue_under_a_new_name_shows_the_new_name(lms):
    learner, certificate = _issued(lms, name="Kenji Watanabe")
    assert "Kenji Watanabe" in Client().get(_page(certificate)).content.decode()

    Profile.objects.filter(user=learner).update(full_name="Kenji Watanabe-Sato")
    api.reissue(certificate, reason="name change")

    page = Client().get(_page(certificate)).content.decode()
    json = Client().get(_json(certificate)).json()
    assert "Kenji Watanabe-Sato" in page
    assert json["learner_name"] == "Kenji Watanabe-Sato"


def test_a_certificate_that_expires_is_not_shown_valid_after_its_expiry(lms):
    _, certificate = _issued(lms, validity_days=30)
    expiry = certificate.expires_at
    with time_machine.travel(expiry - datetime.timedelta(seconds=30), tick=False):
        assert Client().get(_json(certificate)).json()["status"] == "valid"
        assert Client().get(_page(certificate)).status_code == 200
    with time_machine.travel(expiry + datetime.timedelta(seconds=1), tick=False):
        assert Client().get(_json(certificate)).json()["status"] == "expired"
        assert "This certificate has expired" in Client().get(_page(certificate)).content.decode()


def test_nothing_is_kept_when_the_setting_says_so(lms, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "VERIFY_CACHE_SECONDS": 0}
    _, certificate = _issued(lms)
    Client().get(_page(certificate))

    count, again = _queries(_page(certificate))
    assert count == 1
    assert "no-store" in again["Cache-Control"]
    assert "ETag" not in again


def test_the_answers_come_out_the_same_when_the_cache_is_down(lms, settings):
    _, certificate = _issued(lms)
    kept = Client().get(_json(certificate)).json()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens there
    try:
        page = Client().get(_page(certificate))
        answer = Client().get(_json(certificate))
        api.revoke(certificate, reason="mistake")  # and a change with the cache down loses nothing
    finally:
        del settings.CACHES
        cache.close()

    assert page.status_code == 200
    assert "This certificate is valid" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert answer.json() == kept
    certificate.refresh_from_db()
    assert certificate.state == Certificate.REVOKED


def test_an_answer_built_from_a_read_that_raced_a_change_is_never_served(lms):
    """A visitor's request reads the certificate, a revocation commits, then that request keeps its
    (now stale) answer: the next visitor must still see the revocation."""
    _, certificate = _issued(lms)

    def read_then_revoked_meanwhile():
        built = verify_view._verify(certificate.formatted_code)  # reads "valid"
        api.revoke(certificate, reason="mistake")  # commits while the first request is still running
        return built

    request = RequestFactory().get(_json(certificate))
    stale = verify_answers.answer(request, "json", certificate.verification_code, read_then_revoked_meanwhile)
    assert b'"status":"valid"' in stale.content  # the racing request answered what it read

    assert Client().get(_json(certificate)).json()["status"] == "revoked"


def test_a_valid_answer_is_kept_no_longer_than_the_certificate_is_valid(lms):
    _, certificate = _issued(lms, validity_days=30)
    now = timezone.now()
    with time_machine.travel(certificate.expires_at - datetime.timedelta(seconds=90), tick=False):
        Client().get(_json(certificate))
    with time_machine.travel(certificate.expires_at - datetime.timedelta(seconds=10), tick=False):
        count, answer = _queries(_json(certificate))
    assert (count, answer.json()["status"]) == (0, "valid")
    assert now < certificate.expires_at


def test_a_malformed_keep_time_is_named_at_start_up(settings):
    from cert_plugin import conf

    for bad in (-1, "300", 2.5, True, None):
        settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "VERIFY_CACHE_SECONDS": bad}
        assert any("VERIFY_CACHE_SECONDS" in problem for problem in conf.problems()), bad
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "VERIFY_CACHE_SECONDS": 0}
    assert not [problem for problem in conf.problems() if "VERIFY_CACHE_SECONDS" in problem]


@pytest.mark.usefixtures("one_window")
@pytest.mark.parametrize("route", ["cert_plugin:verify", "cert_plugin:api-verify"])
def test_a_kept_answer_still_counts_once_against_the_rate_limit(lms, settings, route):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "VERIFY_RATE": "3/m"}
    _, certificate = _issued(lms)
    url = reverse(route, args=[certificate.formatted_code])

    answers = [Client().get(url) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[1].content == answers[2].content  # kept, and counted like the first
    assert int(answers[3]["Retry-After"]) >= 1


def test_the_kept_json_answer_has_the_headers_of_a_built_one(lms):
    _, certificate = _issued(lms)
    built = Client().get(_json(certificate))
    kept = Client().get(_json(certificate))

    for header in ("Content-Type", "Allow", "Cache-Control", "ETag", "X-Frame-Options"):
        assert kept.get(header) == built.get(header), header
