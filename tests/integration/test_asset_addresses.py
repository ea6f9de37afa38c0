"""An image's address changes when the image does (issue 14, point 11): "Branding saved" used to show
the old logo for a minute, because the logo's address never changed and browsers kept it 60 s.

Pages link each image with its content hash (``?v=``); that address is cached for good, any other
is revalidated, so a new logo shows at once."""

from __future__ import annotations

import io

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from cert_plugin import api

RED, BLUE = (200, 20, 20), (20, 20, 200)


def _png(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 120), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def staff(lms):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    client = Client()
    client.force_login(lms.staff(course))
    return client


def _logo_src(client) -> str:
    response = client.get(reverse("cert_plugin:branding", args=["Northwind"]))
    page = lxml.html.fromstring(response.content.decode())
    [src] = page.xpath("//img[contains(@class, 'ed-logo__img')]/@src")
    return src


def _save_logo(client, color) -> None:
    response = client.post(reverse("cert_plugin:branding", args=["Northwind"]), {
        "display_name": "Northwind", "primary_color": "#1f3a5f", "accent_color": "#b08d3c",
        "logo": SimpleUploadedFile("logo.png", _png(color), "image/png")})
    assert response.status_code == 303


def test_a_new_logo_gets_a_new_address_and_the_page_shows_it_at_once(staff):
    _save_logo(staff, RED)
    first = _logo_src(staff)
    _save_logo(staff, BLUE)
    second = _logo_src(staff)

    assert first != second
    assert first.split("?")[0] == second.split("?")[0]
    assert staff.get(second).content == _png(BLUE)
    assert staff.get(second)["Cache-Control"] == "private, max-age=31536000, immutable"


def test_an_address_without_the_current_hash_is_revalidated(staff):
    _save_logo(staff, RED)
    old = _logo_src(staff)
    _save_logo(staff, BLUE)
    plain = reverse("cert_plugin:branding-asset", args=["Northwind", "logo"])

    for url in (old, plain):  # an old page's address, and the bare one
        response = staff.get(url)
        assert response.content == _png(BLUE)
        assert response["Cache-Control"] == "private, no-cache"
    etag = staff.get(plain)["ETag"]
    assert staff.get(plain, headers={"If-None-Match": etag}).status_code == 304


def test_the_template_editors_images_are_addressed_by_their_content_too(lms, staff):
    template = api.create_template("With logo", org="Northwind", html='<img src="{{ assets.logo }}" alt="">',
                                   assets={"logo": _png(RED)})
    edit = reverse("cert_plugin:template-edit", args=[template.pk])

    def thumb() -> str:
        page = lxml.html.fromstring(staff.get(edit).content.decode())
        [src] = page.xpath("//img[@class='ed-asset__thumb']/@src")
        return src

    first = thumb()
    api.update_template(template, assets={"logo": _png(BLUE)})
    second = thumb()

    assert first != second
    assert staff.get(second).content == _png(BLUE)
