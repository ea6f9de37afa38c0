"""The template list as a person sees it (issue 14, point 11), in English and Brazilian Portuguese, on
a desktop and a phone: each template shows a real picture of its current version (they were
placeholders), and a template can be archived (it leaves the list, and comes back when unarchived) or,
when no certificate uses it, deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RED = '<main style="width: 297mm; height: 210mm; background: #c81e1e"><h1>{{ learner_name }}</h1></main>'


def _northwind(lms):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    base = api.builtin_templates()[0].current_version
    branded = api.create_template("Northwind landscape", org="Northwind", html=base.html, css=base.css)
    red = api.create_template("Northwind red", org="Northwind", html=RED)
    return lms.staff(course), branded, red


def _pictures(page) -> dict[str, list[int]]:
    """Each row's title and the middle pixel of its picture, once every picture has loaded."""
    # The built-ins' pictures are rendered on their first request (then kept): give a busy machine time.
    page.wait_for_function("() => Array.from(document.querySelectorAll('.ed-row__img'))"
                           ".every((img) => img.complete && img.naturalWidth > 0)", timeout=30_000)
    return page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('.ed-row'),
                                                               (row) => {
        const img = row.querySelector('.ed-row__img');
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        const pixel = context.getImageData(canvas.width / 2, canvas.height - 4, 1, 1).data;
        return [row.querySelector('.ed-row__title').textContent.trim(), Array.from(pixel).slice(0, 3)];
    }))""")


@pytest.mark.parametrize(("locale", "lang", "viewport"), [
    ("en-US", "en", DESKTOP), ("pt-BR", "pt-br", DESKTOP), ("en-US", "en", PHONE), ("pt-BR", "pt-br", PHONE)],
    ids=["en-desktop", "pt-br-desktop", "en-phone", "pt-br-phone"])
def test_the_list_shows_a_picture_of_each_template(lms, new_context, locale, lang, viewport):
    staff, _branded, _red = _northwind(lms)
    page = new_context(staff, locale=locale, viewport=viewport).new_page()
    page.goto(reverse("cert_plugin:template-list"))
    assert page.get_attribute("html", "lang") == lang

    pictures = _pictures(page)

    assert set(pictures) >= {"Northwind landscape", "Northwind red"}
    assert all(abs(a - b) <= 12 for a, b in zip(pictures["Northwind red"], (200, 30, 30), strict=True))
    assert pictures["Northwind landscape"] != pictures["Northwind red"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shape = "phone" if viewport is PHONE else "desktop"
    page.screenshot(path=str(SCREENSHOTS / f"template-list-{lang}-{shape}.png"), full_page=True)


@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("pt-BR", "pt-br")])
def test_archiving_unarchiving_and_deleting_from_the_editor(lms, new_context, locale, lang):
    staff, branded, red = _northwind(lms)
    page = new_context(staff, locale=locale, viewport=DESKTOP).new_page()
    list_url = reverse("cert_plugin:template-list")

    page.goto(reverse("cert_plugin:template-edit", args=[branded.pk]))
    page.locator("#archive button[type=submit]").first.click()  # "Archive this template"
    page.wait_for_url(f"**{list_url}")
    titles = page.locator(".ed-row__title").all_inner_texts()
    assert "Northwind landscape" not in titles
    assert "Northwind red" in titles
    page.goto(reverse("cert_plugin:template-edit", args=[branded.pk]))
    banner = page.locator(".ed-archived")
    assert banner.is_visible()
    assert staff.get_username() in banner.inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"template-editor-archived-{lang}.png"))
    page.goto(list_url)
    page.locator(f".ed-head__actions a[href='{list_url}?archived=1']").click()
    assert page.locator(".ed-row__title").all_inner_texts() == ["Northwind landscape"]
    page.screenshot(path=str(SCREENSHOTS / f"template-list-archived-{lang}.png"), full_page=True)

    page.locator(".ed-row__actions button[type=submit]").click()  # "Unarchive"
    page.wait_for_url(f"**{reverse('cert_plugin:template-edit', args=[branded.pk])}")
    assert page.locator(".ed-archived").count() == 0
    page.goto(list_url)
    assert "Northwind landscape" in page.locator(".ed-row__title").all_inner_texts()

    page.goto(reverse("cert_plugin:template-edit", args=[red.pk]))
    delete = page.locator("form.ed-delete")
    delete.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"template-editor-archive-delete-{lang}.png"), full_page=True)
    delete.locator("input[name=confirm]").check()
    delete.locator("button[type=submit]").click()
    page.wait_for_url(f"**{list_url}")
    assert "Northwind red" not in page.locator(".ed-row__title").all_inner_texts()
    assert "Northwind red" in page.locator(".ed-messages").inner_text()
    assert api.template_by_id(red.pk) is None


def test_a_template_a_course_uses_says_why_it_cannot_be_archived(lms, new_context):
    course = lms.course(org="Northwind")
    api.configure_course(course.course_key)
    template = api.create_template("In use", org="Northwind", html=RED)
    api.set_course_template(course.course_key, template)
    page = new_context(lms.staff(course), viewport=PHONE).new_page()

    page.goto(reverse("cert_plugin:template-edit", args=[template.pk]))

    section = page.locator("#archive")
    assert "cannot be archived while a course issues its certificates with it" in section.inner_text()
    assert section.locator("button").count() == 0
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "template-editor-archive-refused-phone.png"))
