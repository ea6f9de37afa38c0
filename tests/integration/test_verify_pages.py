"""The public verify form and page, as a person checking a certificate meets them.

Certificates are issued the way learners earn them (real grade and completion
signals through the demo LMS) or by a staff override through the api; the
pages are fetched with Django's test client, anonymously unless said otherwise.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cert_plugin import api, codes
from cert_plugin.credentials import keys
from cert_plugin.models import Certificate

UNKNOWN = "ZZZZ-9999-ZZZZ-9990"

pytestmark = pytest.mark.usefixtures("no_render_task")



def _earned(lms, *, name="Amelia Okafor", title="Python for Data Analysis", **config):
    """A learner who completes the course and passes its quizzes; the signals issue the certificate."""
    course = lms.course(title=title)
    api.configure_course(course.course_key, **config)
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return learner, certificate


def _issued(lms, *, name="Kenji Watanabe", title="Safety Officer Certification", **config):
    """A certificate issued by staff override (quicker than working through the course)."""
    course = lms.course(title=title, hours="40")
    api.configure_course(course.course_key, **config)
    learner = lms.learner(course, name=name)
    return learner, api.issue(learner, course.course_key, reason="test")


def _verify_url(code: str) -> str:
    return reverse("cert_plugin:verify", args=[code])


def _get(url: str, user=None, **extra):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url, **extra)


def _text(response) -> str:
    """The visible text of a page, whitespace collapsed (tags dropped)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|head)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _meta(response, name: str) -> str | None:
    html = response.content.decode()
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)
    return found.group(1) if found else None


# ----------------------------------------------------------------------------- the form


def test_the_form_has_a_labelled_code_input_made_for_codes(db):
    response = _get(reverse("cert_plugin:verify-form"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="cp-label" for="cp-code">Verification code</label>' in html
    field = re.search(r"<input[^>]*id=\"cp-code\"[^>]*>", html, flags=re.S).group(0)
    for attribute in ('autocomplete="off"', 'autocapitalize="characters"', 'spellcheck="false"',
                      'inputmode="text"', 'aria-describedby="cp-code-hint"', 'name="code"'):
        assert attribute in field
    assert 'aria-invalid' not in field
    assert html.count("<h1") == 1


@pytest.mark.parametrize("typed", [
    "{code}",
    "  {spaced}  ",
    "{lower}",
    "{bare}",
    "{lookalikes}",
    "https://lms.example.org/certs/verify/{code}/",
])
def test_the_form_takes_a_code_however_it_was_written_to_its_verify_page(lms, typed):
    _, certificate = _issued(lms)
    code = certificate.formatted_code
    written = typed.format(
        code=code,
        spaced=" ".join(code.replace("-", "")),
        lower=code.lower(),
        bare=code.replace("-", ""),
        lookalikes=code.replace("0", "O").replace("1", "l"),
    )
    response = _get(reverse("cert_plugin:verify-form"), data={"code": written})
    assert response.status_code == 302
    assert response["Location"] == _verify_url(code)
    assert "This certificate is valid" in _text(_get(response["Location"]))


def test_a_lookalike_code_in_the_url_redirects_to_the_canonical_verify_page(lms):
    _, certificate = _issued(lms)
    sloppy = certificate.verification_code.lower().replace("1", "l").replace("0", "o")
    response = _get(f"/certs/verify/{sloppy}/")
    assert response.status_code == 302
    assert response["Location"] == _verify_url(certificate.formatted_code)


@pytest.mark.parametrize("junk", ["hello world", "ABCD-1234", "U" * 16, "<script>alert(1)</script>"])
def test_junk_shows_the_form_again_with_an_error_tied_to_the_input(db, junk):
    response = _get(reverse("cert_plugin:verify-form"), data={"code": junk})
    assert response.status_code == 200
    html = response.content.decode()
    field = re.search(r"<input[^>]*id=\"cp-code\"[^>]*>", html, flags=re.S).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="cp-code-hint cp-code-error"' in field
    assert 'id="cp-code-error"' in html
    assert "16 letters and digits, in four groups of four" in _text(response)
    assert "<script>alert(1)</script>" not in html  # echoed back escaped
    assert "<title>Error:" in html


def test_an_empty_submission_asks_for_the_code(db):
    response = _get(reverse("cert_plugin:verify-form"), data={"code": "   "})
    assert response.status_code == 200
    assert "Enter the verification code printed on the certificate." in _text(response)


# ----------------------------------------------------------------------------- statuses


def test_a_valid_certificate_says_so_and_shows_what_it_certifies(lms):
    _, certificate = _earned(lms, hours=12)
    response = _get(_verify_url(certificate.formatted_code))
    assert response.status_code == 200
    text = _text(response)
    assert "This certificate is valid" in text
    assert "Amelia Okafor" in text
    assert "Python for Data Analysis" in text
    assert "12 hours" in text
    assert "Northwind Institute of Technology" in text  # the issuer, in the header and the details
    assert certificate.formatted_code in text
    assert "Does not expire" in text
    assert "Digital signature verified" in text
    assert certificate.issued_at.strftime("%Y") in text
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert re.search(r'role="status"[^>]*>', html)
    assert 'class="cp-status cp-status--valid"' in html
    # A browser or proxy may keep it but asks again before each use: a revocation shows at once.
    assert response["Cache-Control"] == "no-cache"
    assert response["ETag"]


def test_a_revoked_certificate_shows_the_date_and_the_reason_only_when_public(lms):
    _, private_reason = _issued(lms, name="Kenji Watanabe")
    _, public_reason = _issued(lms, name="Layla Haddad")
    api.revoke(private_reason, reason="Internal investigation 4411")
    api.revoke(public_reason, reason="The final assessment was not completed.", publish_reason=True)

    hidden = _text(_get(_verify_url(private_reason.formatted_code)))
    shown = _text(_get(_verify_url(public_reason.formatted_code)))

    for text in (hidden, shown):
        assert "This certificate has been revoked" in text
        assert "It is no longer a valid certificate" in text
        assert "Revoked on" in text
        assert "This certificate is valid" not in text
    assert "Internal investigation 4411" not in hidden
    assert "Reason given by the issuer" not in hidden
    assert "Reason given by the issuer: The final assessment was not completed." in shown


def test_an_expired_certificate_shows_the_date_and_links_the_newer_one(lms):
    issued_long_ago = timezone.now() - datetime.timedelta(days=800)
    with time_machine.travel(issued_long_ago, tick=False):
        learner, old = _issued(lms, validity_days=365)
    newer = api.issue(learner, old.course_key, reason="recertified")
    assert newer.pk != old.pk

    response = _get(_verify_url(old.formatted_code))
    text = _text(response)
    assert "This certificate has expired" in text
    assert "Expired on" in text
    assert "verify the newer certificate" in text
    assert f'href="{_verify_url(newer.formatted_code)}"' in response.content.decode()
    assert "This certificate is valid" in _text(_get(_verify_url(newer.formatted_code)))


def test_an_expired_certificate_without_a_successor_has_no_newer_link(lms):
    _, certificate = _issued(lms, validity_days=30)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        response = _get(_verify_url(certificate.formatted_code))
    text = _text(response)
    assert "This certificate has expired" in text
    assert "newer certificate" not in text


def test_a_valid_certificate_with_an_expiry_date_says_until_when(lms):
    _, certificate = _issued(lms, validity_days=730)
    text = _text(_get(_verify_url(certificate.formatted_code)))
    assert "This certificate is valid" in text
    assert "It is valid until" in text
    assert "Does not expire" not in text


def test_an_unsigned_certificate_says_it_was_issued_without_a_signature(lms, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "SIGNING_KEY": None}
    _, certificate = _issued(lms)
    text = _text(_get(_verify_url(certificate.formatted_code)))
    assert "Issued without a digital signature" in text
    assert "Digital signature verified" not in text


def test_an_altered_record_is_flagged_as_not_matching_its_signature(lms, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "SIGNING_KEY": keys.generate_ed25519_pem()}
    _, certificate = _issued(lms)
    Certificate.objects.filter(pk=certificate.pk).update(learner_name="Mallory Forger")  # tampering
    text = _text(_get(_verify_url(certificate.formatted_code)))
    assert "Signature does not match — this record may have been altered; contact the issuer." in text
    assert "Digital signature verified" not in text


# ----------------------------------------------------------------------------- not found


def test_an_unknown_code_gets_a_helpful_404(db):
    response = _get(_verify_url(UNKNOWN))
    assert response.status_code == 404
    text = _text(response)
    assert "No certificate found with this code" in text
    assert "typed exactly as printed" in text
    assert "16 letters and digits, in four groups of four" in text
    assert "Copy and paste the code" in text
    assert "extra spaces" in text
    assert "Contact the institution that issued the certificate" in text
    assert 'name="robots" content="noindex"' in response.content.decode()


def test_unknown_and_malformed_codes_get_the_same_page_apart_from_the_echoed_input(lms):
    _issued(lms)  # some certificate exists; nothing about it may leak
    unknown = _get(_verify_url(UNKNOWN))
    malformed = _get("/certs/verify/not-a-real-code/")
    assert unknown.status_code == malformed.status_code == 404
    same = unknown.content.decode().replace(UNKNOWN, "ECHO")
    assert same == malformed.content.decode().replace("not-a-real-code", "ECHO")
    assert "Kenji" not in same


def test_an_existing_code_of_a_private_certificate_is_not_leaked_by_the_404_of_its_neighbour(lms):
    _, certificate = _issued(lms)
    last = certificate.verification_code[-1]
    neighbour = certificate.verification_code[:-1] + ("0" if last != "0" else "1")
    response = _get(_verify_url(codes.format_code(neighbour)))
    assert response.status_code == 404
    assert certificate.learner_name not in response.content.decode()


# ----------------------------------------------------------------------------- files and privacy


def test_a_private_certificate_verifies_publicly_but_offers_no_files_to_strangers(lms):
    learner, certificate = _earned(lms)
    assert not certificate.is_public
    code = certificate.formatted_code
    links = [reverse(f"cert_plugin:{name}", args=[code])
             for name in ("download-png", "download-pdf", "certificate")]

    anonymous = _get(_verify_url(code)).content.decode()
    assert "This certificate is valid" in anonymous
    assert not any(link in anonymous for link in links)

    owner = _get(_verify_url(code), user=learner).content.decode()
    assert all(f'href="{link}"' in owner for link in links)


def test_a_public_certificate_offers_its_files_to_anyone(lms):
    _, certificate = _issued(lms)
    api.set_public(certificate, True)
    html = _get(_verify_url(certificate.formatted_code)).content.decode()
    assert f'href="{reverse("cert_plugin:download-pdf", args=[certificate.formatted_code])}"' in html
    assert "Download image (PNG)" in html


def test_a_revoked_certificate_offers_no_files_even_to_its_owner(lms):
    learner, certificate = _issued(lms)
    api.revoke(certificate, reason="mistake")
    html = _get(_verify_url(certificate.formatted_code), user=learner).content.decode()
    assert "Download PDF" not in html


# ----------------------------------------------------------------------------- link previews


def test_open_graph_tags_describe_the_certificate_with_the_image_only_when_public(lms, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "BASE_URL": "https://lms.example.org"}
    _, certificate = _issued(lms, name="Layla Haddad", title="Safety Officer Certification")
    code = certificate.formatted_code
    url = _verify_url(code)

    private = _get(url)
    assert _meta(private, "og:title") == "Layla Haddad — Safety Officer Certification"
    assert _meta(private, "og:url") == f"https://lms.example.org/certs/verify/{code}/"
    assert "Northwind Institute of Technology" in _meta(private, "og:description")
    assert "Valid" in _meta(private, "og:description")
    assert _meta(private, "twitter:card") == "summary_large_image"
    assert _meta(private, "og:image") is None
    assert _meta(private, "twitter:image") is None
    assert _meta(private, "robots") == "noindex"

    api.set_public(certificate, True)
    public = _get(url)
    assert _meta(public, "og:image") == f"https://lms.example.org/certs/{code}.png"
    assert _meta(public, "twitter:image") == f"https://lms.example.org/certs/{code}.png"
    assert _meta(public, "robots") is None


def test_the_link_preview_of_a_revoked_certificate_says_it_is_revoked(lms):
    _, certificate = _issued(lms)
    api.set_public(certificate, True)
    api.revoke(certificate, reason="mistake")
    response = _get(_verify_url(certificate.formatted_code))
    assert "revoked" in _meta(response, "og:description")
    assert _meta(response, "og:image") is None


# ----------------------------------------------------------------------------- the layout


def test_pages_have_landmarks_a_skip_link_a_language_and_the_issuer(db):
    html = _get(reverse("cert_plugin:verify-form")).content.decode()
    assert re.search(r'<html lang="en"', html)
    assert '<a class="cp-skip" href="#main">' in html
    for landmark in ("<header", "<main", "<footer"):
        assert landmark in html
    assert 'id="main"' in html
    assert "Northwind Institute of Technology" in html
    assert "cert_plugin/cert_plugin.css" in html
