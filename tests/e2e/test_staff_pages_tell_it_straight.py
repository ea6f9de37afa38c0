"""What course staff read on their pages is true and complete (issue 14, point 9), in a real browser.

The activity log's header says whether certificates are on; "Approve selected" is offered only
where staff approve certificates, and its message counts only what it did and names whom it
skipped; "Pass the course" states the pass mark; the settings form lists every problem at once,
each additional-requirement problem with its line. In English and in Brazilian Portuguese (the
browser asks for ``pt-BR``; sentences new in this change stay English until the catalogue is
updated, so the Portuguese runs check the Portuguese page around them). Takes the screenshots,
desktop and phone.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.helpers import in_language

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LANGUAGES = [
    pytest.param("en-US", "en", {"on": "Certificates on", "activity": "Activity log",
                                 "approve": "Approve selected", "save": "Save settings",
                                 "nothing": "Nothing was saved."}, id="en"),
    pytest.param("pt-BR", "pt-br", {"on": "Certificados ativados", "activity": "Registro de atividades",
                                    "approve": "Aprovar selecionados", "save": "Salvar configurações",
                                    "nothing": "Nada foi salvo."}, id="pt-BR"),
]


def _url(name: str, course) -> str:
    return reverse(f"cert_plugin:{name}", args=[course.course_key])


def _finished(lms, course, name: str):
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    return learner


@pytest.mark.parametrize(("locale", "lang", "words"), LANGUAGES)
def test_the_activity_log_says_certificates_are_on(lms, new_context, no_render_task, locale, lang, words):
    course = lms.course(title="Safety Officer Certification")
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    api.issue(lms.learner(course, name="Amelia Okafor"), course.course_key, by=staff, reason="On site")

    for viewport, device in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = new_context(staff, locale=locale, viewport=viewport).new_page()
        page.goto(_url("staff-dashboard", course))
        page.get_by_role("link", name=words["activity"], exact=True).click()

        page.wait_for_url("**/audit/")
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.locator(".st-head__meta .cp-badge").inner_text().strip() == words["on"]
        page.screenshot(path=str(SCREENSHOTS / f"staff-activity-{lang}-{device}.png"), full_page=True)


@pytest.mark.parametrize(("locale", "lang", "words"), LANGUAGES)
def test_approve_selected_counts_what_it_did_and_names_whom_it_skipped(lms, new_context, no_render_task,
                                                                       locale, lang, words):
    course = lms.course(title="Safety Officer Certification")
    api.configure_course(course.course_key, requires_approval=True)
    staff = lms.staff(course)
    pending = _finished(lms, course, "Layla Haddad")
    holder = lms.learner(course, name="Kenji Watanabe")
    api.issue(holder, course.course_key, by=staff, reason="Certified on site")
    revoked = lms.learner(course, name="José Ñúñez")
    api.revoke(api.issue(revoked, course.course_key, by=staff, reason="x"), reason="Misconduct", by=staff)
    page = new_context(staff, locale=locale, viewport=DESKTOP).new_page()
    page.goto(_url("staff-dashboard", course))

    for learner in (pending, holder, revoked):
        page.locator(f"tr[data-learner='{learner.username}'] input[name='users']").check()
    page.get_by_role("button", name=words["approve"]).click()

    message = page.locator("[data-message]")
    message.wait_for()
    text = " ".join(message.inner_text().split())
    assert "Kenji Watanabe" in text
    assert "José Ñúñez" in text
    if lang == "en":
        assert text == ("Approved 1 learner; 1 certificate issued. Skipped Kenji Watanabe, who already has "
                        "a certificate. Skipped José Ñúñez: the certificate was revoked, and approving does "
                        "not undo that. To give a new certificate, use “Issue now” in the learner's row.")
    assert page.locator(f"tr[data-learner='{pending.username}'] [data-status]").get_attribute(
        "data-status") == "issued"
    assert page.locator(f"tr[data-learner='{revoked.username}'] [data-status]").get_attribute(
        "data-status") == "revoked"
    page.locator(".st-messages").screenshot(path=str(SCREENSHOTS / f"staff-bulk-approve-{lang}.png"))
    approved = {event.user_id for event in api.audit_trail(course.course_key) if event.action == "approved"}
    assert approved == {pending.pk}


@pytest.mark.parametrize(("locale", "lang", "words"), LANGUAGES)
def test_a_course_without_approval_offers_no_approve_selected(lms, new_context, no_render_task, locale, lang,
                                                              words):
    course = lms.course(title="Python for Data Analysis")
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    _finished(lms, course, "Amelia Okafor")
    lms.learner(course, name="Kenji Watanabe")
    page = new_context(staff, locale=locale, viewport=PHONE).new_page()

    page.goto(_url("staff-dashboard", course))

    assert page.evaluate("document.documentElement.lang") == lang
    assert page.get_by_role("button", name=words["approve"]).count() == 0
    assert page.locator("input[name='users']").count() == 0  # no selection without an action to apply
    page.screenshot(path=str(SCREENSHOTS / f"staff-no-approval-{lang}-phone.png"), full_page=True)


@pytest.mark.parametrize(("locale", "lang", "words"), LANGUAGES)
def test_pass_the_course_states_the_pass_mark_to_learner_and_staff(lms, new_context, no_render_task, locale,
                                                                   lang, words):
    course = lms.course(title="Python for Data Analysis", passing=0.6)
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    learner = lms.learner(course, name="Amelia Okafor")
    lms.pass_all_quizzes(learner, course, score=0.4)

    page = new_context(learner, locale=locale, viewport=PHONE).new_page()
    page.goto(reverse("cert_plugin:learner-dashboard"))
    assert page.evaluate("document.documentElement.lang") == lang
    card = page.locator(f"[data-course='{course.course_key}']")
    label = in_language(lang, "Pass the course (passing grade: {cutoff})", cutoff="60%")
    assert label in card.inner_text()
    assert in_language(lang, "Current grade {grade} (needs {needed} to pass)", grade="40%",
                       needed="60%") in card.inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"learner-pass-mark-{lang}-phone.png"), full_page=True)

    staff_page = new_context(staff, locale=locale, viewport=DESKTOP).new_page()
    staff_page.goto(_url("staff-dashboard", course))
    assert label in staff_page.locator("[data-summary]").inner_text()


@pytest.mark.parametrize(("locale", "lang", "words"), LANGUAGES)
def test_the_settings_form_lists_every_problem_at_once_with_its_line(lms, new_context, no_render_task, locale,
                                                                      lang, words):
    course = lms.course(title="Safety Officer Certification")
    api.configure_course(course.course_key)
    staff = lms.staff(course)
    for viewport, device in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = new_context(staff, locale=locale, viewport=viewport).new_page()
        page.goto(_url("staff-settings", course))

        page.locator("#id_min_grade").fill("120")
        page.locator("#id_validity_days").fill("0")
        page.locator("#id_additional_requirements").fill(
            "project | Final project\nAttend 3 live classes\nsurvey |\nproject | Project again")
        page.get_by_role("button", name=words["save"]).click()

        summary = page.locator("[data-problem]")
        summary.wait_for()
        assert words["nothing"] in summary.inner_text()
        items = page.locator("[data-problem-list] li").all_inner_texts()
        problems = [" ".join(text.split()) for text in items]
        assert len(problems) == 5
        # "Line 2 has no “|”…", "A linha 3 não tem rótulo…": each problem of the box names its line
        lines = [re.search(r"\b(?:Line|linha) (\d+)", problem, re.IGNORECASE) for problem in problems]
        assert [found.group(1) for found in lines if found] == ["2", "3", "4"]
        if lang == "en":
            assert problems[0] == "Minimum course grade (%): Ensure this value is less than or equal to 100."
            assert ("Line 2 has no “|”: write it as “key | label”, for example “attend_3_live_classes | "
                    "Attend 3 live classes”.") in problems[1]
            assert problems[-1].startswith("Valid for (days): Validity must be a whole number of days")
        shot = SCREENSHOTS / f"staff-settings-problems-{lang}-{device}.png"
        page.screenshot(path=str(shot), full_page=True)
        # each problem links to its field
        page.locator("[data-problem-list] a").nth(1).click()
        assert page.evaluate("document.activeElement.id") == "id_additional_requirements"
    assert api.get_config(course.course_key).validity_days is None  # nothing was saved
