"""The certificate's PNG in the sizes it comes in (issue 14, point 7).

150 dpi for screens (the default) and 300 dpi for print are kept; any other
``dpi`` is a clear 400 naming the two, never a silent 150. Every PNG says its
resolution (``pHYs``), so it prints at A4 size. Lists (My certificates, the
public profile) show a 600-pixel copy, not the 1,754-pixel image, and every page
that offers downloads offers the print PNG.
"""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from cert_plugin import api
from tests.helpers import client_for, html_of, issued

UNKNOWN = "ZZZZ-ZZZZ-ZZZZ-ZZZ0"


@pytest.fixture
def earned(lms):
    return issued(lms)


def _png(certificate) -> str:
    return reverse("cert_plugin:download-png", args=[certificate.formatted_code])


def _image(response) -> Image.Image:
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


FULLWIDTH_150 = "%EF%BC%91%EF%BC%95%EF%BC%90"  # 150 in full-width digits: digits, but not ASCII ones


@pytest.mark.parametrize("query", ["?dpi=600", "?dpi=abc", "?dpi=", "?dpi=150.0", "?dpi=72",
                                   f"?dpi={FULLWIDTH_150}"])
def test_a_resolution_that_is_not_kept_is_a_clear_400(earned, query):
    _, learner, certificate = earned

    response = client_for(learner).get(_png(certificate) + query)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    message = response.content.decode()
    assert "150 or 300 dpi" in message
    assert "print" in message


@pytest.mark.parametrize("query", ["?width=601", "?width=abc", "?width=1754", "?width=600&dpi=300"])
def test_a_width_that_is_not_offered_is_a_clear_400(earned, query):
    _, learner, certificate = earned

    response = client_for(learner).get(_png(certificate) + query)

    assert response.status_code == 400
    message = response.content.decode()
    assert "600 or 1200 pixels" in message or "not both" in message


def test_a_bad_query_says_nothing_about_the_code(earned):
    _, _, certificate = earned
    private = client_for().get(_png(certificate) + "?dpi=600")
    unknown = client_for().get(reverse("cert_plugin:download-png", args=[UNKNOWN]) + "?dpi=600")

    assert private.status_code == unknown.status_code == 400
    assert private.content == unknown.content


@pytest.mark.parametrize(("query", "width", "dpi"), [("", 1754, 150), ("?dpi=150", 1754, 150),
                                                      ("?dpi=300", 3508, 300)])
def test_each_png_says_its_resolution_so_it_prints_at_a4_size(earned, query, width, dpi):
    _, learner, certificate = earned

    image = _image(client_for(learner).get(_png(certificate) + query))

    assert image.size[0] == pytest.approx(width, abs=4)
    assert tuple(round(value) for value in image.info["dpi"]) == (dpi, dpi)
    # Width in inches: A4 landscape is 297 mm = 11.69 in.
    assert image.size[0] / image.info["dpi"][0] == pytest.approx(11.69, abs=0.02)


def test_the_stored_pngs_carry_their_resolution(earned):
    _, _, certificate = earned

    for dpi in (150, 300):
        image = Image.open(io.BytesIO(api.render_png(certificate, dpi=dpi)))
        assert tuple(round(value) for value in image.info["dpi"]) == (dpi, dpi)


def test_the_thumbnail_is_600_pixels_wide_a_fraction_of_the_size_and_revalidates(earned):
    _, learner, certificate = earned
    client = client_for(learner)
    full = client.get(_png(certificate))

    small = client.get(_png(certificate) + "?width=600")

    image = _image(small)
    assert image.size == (600, round(600 * full_height(full) / 1754))
    assert len(small.content) * 4 < len(full.content)
    assert image.info["dpi"][0] == pytest.approx(600 / 11.69, abs=0.1)  # still A4 when printed
    assert small["ETag"] != full["ETag"]
    again = client.get(_png(certificate) + "?width=600", HTTP_IF_NONE_MATCH=small["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert _image(client.get(_png(certificate) + "?width=1200")).size[0] == 1200


def full_height(response) -> int:
    return Image.open(io.BytesIO(response.content)).size[1]


def test_thumbnails_are_only_for_those_who_may_see_the_certificate(lms, earned):
    course, _, certificate = earned

    assert client_for().get(_png(certificate) + "?width=600").status_code == 404
    classmate = client_for(lms.learner(course, name="Kenji"))
    assert classmate.get(_png(certificate) + "?width=600").status_code == 404
    api.set_public(certificate, True, by=certificate.user)
    assert client_for().get(_png(certificate) + "?width=600").status_code == 200


def test_lists_show_the_small_copy_and_pages_with_downloads_offer_the_print_png(earned):
    _, learner, certificate = earned
    api.set_public(certificate, True, by=learner)
    client = client_for(learner)
    thumbnail, print_png = _png(certificate) + "?width=600", _png(certificate) + "?dpi=300"

    dashboard = html_of(client.get(reverse("cert_plugin:learner-dashboard")))
    profile = html_of(client.get(reverse("cert_plugin:public-profile", args=[learner.username])))
    page = html_of(client.get(reverse("cert_plugin:certificate", args=[certificate.formatted_code])))
    verify = html_of(client.get(reverse("cert_plugin:verify", args=[certificate.formatted_code])))

    assert dashboard.xpath("//article[@data-course]//img/@src") == [thumbnail]
    assert profile.xpath("//main//img/@src") == [thumbnail]
    for html in (dashboard, page, verify):
        links = {" ".join(a.text_content().split()): a.get("href") for a in html.xpath("//main//a")}
        printed = [text for text, href in links.items() if href == print_png]
        assert printed
        assert all(text.startswith("PNG for print (300 dpi)") for text in printed)
    assert _image(client.get(print_png)).info["dpi"][0] == pytest.approx(300, abs=0.1)


def test_a_thumbnail_costs_no_more_queries_than_the_png_it_is_made_from(earned):
    _, learner, certificate = earned
    client = client_for(learner)
    client.get(_png(certificate))  # the session and the stored file, as on any later visit

    with CaptureQueriesContext(connection) as full:
        assert client.get(_png(certificate)).status_code == 200
    with CaptureQueriesContext(connection) as small:
        assert client.get(_png(certificate) + "?width=600").status_code == 200

    assert len(small) == len(full)
