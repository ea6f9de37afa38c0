"""Archiving and deleting templates, and the template list's pictures (issue 14, point 11).

Templates could be neither archived nor deleted, and the list showed placeholders. Now an archived
template leaves the list and the course pickers and keeps rendering the certificates issued with it
(they point at its immutable versions); only a template no certificate and no course uses can be
deleted, with a refusal that says why otherwise; both are in the template's trail with who did it.
Each version's picture is rendered once (from its save's trial render) and kept."""

from __future__ import annotations

import io

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from PIL import Image

from cert_plugin import api
from cert_plugin.domain import templates as templates_room
from cert_plugin.models import TemplateEvent, TemplateThumbnail

RED_PAGE = '<main style="width: 297mm; height: 210mm; background: #c81e1e"><h1>{{ learner_name }}</h1></main>'


@pytest.fixture
def northwind(lms):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    client = Client()
    client.force_login(staff)
    return {"course": course, "staff": staff, "client": client}


@pytest.fixture
def template(northwind):
    return api.create_template("Northwind red", org="Northwind", html=RED_PAGE)


def _text(response) -> str:
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


def _archive(client, template, action="archive", **extra):
    return client.post(reverse("cert_plugin:template-archive", args=[template.pk]),
                       {"action": action, **extra}, follow=True)


def _listed(client, archived=False) -> list[str]:
    url = reverse("cert_plugin:template-list") + ("?archived=1" if archived else "")
    page = lxml.html.fromstring(client.get(url).content.decode())
    return [title.text_content().strip() for title in page.xpath("//h3[@class='ed-row__title']")]


def _earn(lms, course, name="Amelia Okafor"):
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return certificate


# --------------------------------------------------------------------------- archive


def test_an_archived_template_leaves_the_list_and_the_course_pickers(northwind, template):
    client = northwind["client"]
    assert "Northwind red" in _listed(client)

    response = _archive(client, template)

    assert "“Northwind red” is archived" in _text(response)
    assert "Northwind red" not in _listed(client)
    assert _listed(client, archived=True) == ["Northwind red"]
    assert "1 archived template" in _text(client.get(reverse("cert_plugin:template-list")))
    assert template not in api.templates(org="Northwind")
    settings_page = client.get(reverse("cert_plugin:staff-settings", args=[northwind["course"].course_key]))
    assert "Northwind red" not in _text(settings_page)
    [event] = api.template_events(template)
    assert (event.action, event.actor, event.template_name) == (
        "archived", northwind["staff"], "Northwind red")
    assert f"by {northwind['staff'].get_username()}" in _text(
        client.get(reverse("cert_plugin:template-edit", args=[template.pk])))


def test_certificates_issued_with_an_archived_template_keep_rendering_with_it(lms, northwind, template):
    api.set_course_template(northwind["course"].course_key, template)
    certificate = _earn(lms, northwind["course"])
    api.set_course_template(northwind["course"].course_key, None)

    _archive(northwind["client"], template)

    certificate.refresh_from_db()
    assert certificate.template_version.template == template
    png = Image.open(io.BytesIO(api.render_png(certificate))).convert("RGB")
    assert png.getpixel((png.width // 2, png.height - 5)) == pytest.approx((200, 30, 30), abs=12)
    verified = Client().get(reverse("cert_plugin:api-verify", args=[certificate.formatted_code]))
    assert verified.json()["status"] == "valid"


def test_a_template_a_course_uses_is_not_archived_and_staff_are_told_why(northwind, template):
    api.set_course_template(northwind["course"].course_key, template)

    response = _archive(northwind["client"], template)

    assert (f"“Northwind red” cannot be archived: the course {northwind['course'].course_key} issues its "
            "certificates with it. Choose another template for that course first.") in _text(response)
    template.refresh_from_db()
    assert template.archived_at is None


def test_an_archived_template_cannot_be_attached_until_it_is_unarchived(northwind, template):
    _archive(northwind["client"], template)
    key = northwind["course"].course_key

    with pytest.raises(api.TemplateError, match="is archived: unarchive it"):
        api.set_course_template(key, template)
    with pytest.raises(api.TemplateError, match="is archived: unarchive it"):
        api.configure_course(key, template=template)
    response = _archive(northwind["client"], template, "unarchive")

    assert "“Northwind red” is back in the template list" in _text(response)
    api.set_course_template(key, template)
    assert api.get_config(key).template == template
    assert [event.action for event in api.template_events(template)] == ["unarchived", "archived"]


def test_built_in_templates_cannot_be_archived_or_deleted(db):
    builtin = api.builtin_templates()[0]
    with pytest.raises(api.TemplateError, match="Built-in templates cannot be archived"):
        api.archive_template(builtin)
    with pytest.raises(api.TemplateError, match="Built-in templates cannot be deleted"):
        api.delete_template(builtin)


# --------------------------------------------------------------------------- delete


def test_a_template_nobody_used_is_deleted_with_its_versions_and_the_deletion_is_recorded(
        northwind, template):
    api.update_template(template, html=RED_PAGE.replace("h1", "h2"))
    client = northwind["client"]

    unconfirmed = _archive(client, template, "delete")
    assert "Tick “Delete for good” to confirm" in _text(unconfirmed)
    response = _archive(client, template, "delete", confirm="1")

    assert "“Northwind red” is deleted." in _text(response)
    assert api.template_by_id(template.pk) is None
    assert "Northwind red" not in _listed(client)
    [event] = TemplateEvent.objects.filter(template_name="Northwind red")
    assert (event.action, event.actor, event.template, event.org) == (
        "deleted", northwind["staff"], None, "Northwind")


def test_a_template_certificates_were_issued_with_is_not_deleted_and_staff_are_told_to_archive(
        lms, northwind, template):
    api.set_course_template(northwind["course"].course_key, template)
    _earn(lms, northwind["course"])
    client = northwind["client"]

    while_used = _archive(client, template, "delete", confirm="1")
    api.set_course_template(northwind["course"].course_key, None)
    after = _archive(client, template, "delete", confirm="1")

    assert "cannot be deleted: the course" in _text(while_used)
    assert ("“Northwind red” cannot be deleted: 1 certificate was issued with it and keeps rendering with "
            "it. Archive the template to hide it instead.") in _text(after)
    assert api.template_by_id(template.pk) is not None
    edit = client.get(reverse("cert_plugin:template-edit", args=[template.pk]))
    assert "It cannot be deleted: 1 certificate was issued with it" in _text(edit)
    assert not lxml.html.fromstring(edit.content.decode()).xpath("//form[contains(@class, 'ed-delete')]")


def test_only_the_templates_editors_may_archive_or_delete(lms, northwind, template):
    contoso = lms.course(org="Contoso")
    api.configure_course(contoso.course_key)
    stranger = Client()
    stranger.force_login(lms.staff(contoso))
    response = stranger.post(reverse("cert_plugin:template-archive", args=[template.pk]),
                             {"action": "delete", "confirm": "1"})
    assert response.status_code == 403
    assert api.template_by_id(template.pk) is not None


# --------------------------------------------------------------------------- thumbnails


def test_the_list_shows_a_picture_of_each_templates_current_version(northwind, template):
    listing = northwind["client"].get(reverse("cert_plugin:template-list"))
    page = lxml.html.fromstring(listing.content.decode())
    [row] = [row for row in page.xpath("//li[contains(@class, 'ed-row')]")
             if "Northwind red" in row.text_content()]
    [src] = row.xpath(".//img[@class='ed-row__img']/@src")
    assert src == reverse("cert_plugin:template-thumbnail", args=[template.pk, 1])

    response = northwind["client"].get(src)

    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert image.width == 320
    assert image.height == pytest.approx(320 * 210 / 297, abs=2)
    assert image.getpixel((160, image.height - 10)) == pytest.approx((200, 30, 30), abs=12)  # the red page


def test_a_saved_version_gets_its_picture_from_its_trial_render_and_keeps_it(
        northwind, template, monkeypatch):
    renders = []
    real = templates_room.render_limited
    monkeypatch.setattr(templates_room, "render_limited", lambda *a, **k: renders.append(1) or real(*a, **k))

    api.update_template(template, html=RED_PAGE.replace("#c81e1e", "#1e3cc8"))
    assert len(renders) == 1  # the save's trial render, nothing more
    url = reverse("cert_plugin:template-thumbnail", args=[template.pk, 2])
    first = northwind["client"].get(url)
    second = northwind["client"].get(url)

    assert len(renders) == 1
    assert first.content == second.content
    assert TemplateThumbnail.objects.filter(version__template=template).count() == 2
    image = Image.open(io.BytesIO(first.content)).convert("RGB")
    assert image.getpixel((160, image.height - 10)) == pytest.approx((30, 60, 200), abs=12)


def test_a_version_without_a_picture_is_rendered_once_on_first_request(northwind, monkeypatch):
    builtin = api.builtin_templates()[0]  # built-in versions are created without a trial render
    renders = []
    real = templates_room._thumbnail_of  # the picture of a rendered PDF, made once per version
    monkeypatch.setattr(templates_room, "_thumbnail_of", lambda *a, **k: renders.append(1) or real(*a, **k))
    url = reverse("cert_plugin:template-thumbnail", args=[builtin.pk, builtin.current_version.number])

    for _ in range(3):
        response = northwind["client"].get(url)
        assert response.status_code == 200

    assert len(renders) == 1
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    missing = reverse("cert_plugin:template-thumbnail", args=[builtin.pk, 99])
    assert northwind["client"].get(missing).status_code == 404


def test_site_staff_see_every_organizations_archived_templates(lms, northwind, template):
    operator = get_user_model().objects.create_user("operator", password="x", is_staff=True)
    api.archive_template(template, by=northwind["staff"])
    client = Client()
    client.force_login(operator)
    assert _listed(client, archived=True) == ["Northwind red"]
