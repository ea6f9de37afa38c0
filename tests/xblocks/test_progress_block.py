"""The certificate progress XBlock, as learners and course authors see it.

Blocks run in the XBlock library's own test runtime (``xblock.test.tools.TestRuntime``),
with the standard ``user`` service and an opaque-keys usage key in a devhost
course; learners reach their state through real completions and quiz grades.
"""

from __future__ import annotations

import json

import lxml.html
import pytest
from django.test import Client
from opaque_keys.edx.keys import CourseKey
from webob import Request
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData
from xblock.test.tools import TestRuntime

from cert_plugin import api
from cert_plugin.xblocks.progress import CertificateProgressBlock


class _Users(UserService):
    """The runtime's ``user`` service, shaped like Open edX's (ids under ``opt_attrs``)."""

    def __init__(self, user_id=None, *, authenticated=True):
        super().__init__()
        self.user_id = user_id
        self.authenticated = authenticated

    def get_current_user(self):
        current = XBlockUser(is_current_user=True)
        current.opt_attrs["edx-platform.is_authenticated"] = self.authenticated
        if self.user_id is not None:
            current.opt_attrs["edx-platform.user_id"] = self.user_id
        return current


def _block(course, user=None, *, users=None, store=None):
    """A progress block placed in ``course``, rendered for ``user`` (None: anonymous)."""
    users = users or _Users(user.pk if user is not None else None, authenticated=user is not None)
    field_data = KvsFieldData(store if store is not None else DictKeyValueStore())
    services = {"user": users, "field-data": field_data}
    runtime = TestRuntime(services=services)
    usage = CourseKey.from_string(str(course.course_key)).make_usage_key("cert_progress", "progress")
    ids = ScopeIds(user.pk if user is not None else None, "cert_progress", usage, usage)
    return runtime.construct_xblock_from_class(CertificateProgressBlock, ids)


def _page(block, view="student_view"):
    fragment = getattr(block, view)({})
    return fragment, lxml.html.fromstring(fragment.body_html())


def _text(block, view="student_view") -> str:
    return " ".join(_page(block, view)[1].text_content().split())


def _checklist(block) -> dict[str, str]:
    """Each checklist line as the learner reads it, keyed by requirement."""
    _, doc = _page(block)
    return {item.get("data-requirement"): " ".join(item.text_content().split())
            for item in doc.xpath("//*[@data-requirement]")}


def _submit(block, payload):
    request = Request.blank("/", method="POST", body=json.dumps(payload).encode())
    return block.handle("studio_submit", request)


# --------------------------------------------------------------------------- learners


def test_a_learner_in_progress_sees_the_checklist_and_the_unmet_quiz(lms):
    course = lms.course(lessons=3, quizzes=2)
    quiz1, quiz2 = lms.quizzes(course)
    api.configure_course(course.course_key, required_quizzes=[str(quiz2.usage_key)], min_quiz_score=0.7)
    learner = lms.learner(course)
    lms.complete_all(learner, course, but=1)
    lms.take_quiz(learner, quiz1, 0.9)
    lms.take_quiz(learner, quiz2, 0.55)

    block = _block(course, learner)
    text = _text(block)
    checklist = _checklist(block)

    assert "Here is what you still need to earn your certificate." in text
    assert "1 of 3 requirements met for Python for Data Analysis" in text
    assert "2 of 3 lessons completed" in checklist["lessons"]
    assert "✗ Complete all lessons Not yet" in checklist["lessons"]
    quiz = checklist[f"quiz:{quiz2.usage_key}"]
    assert quiz.startswith("✗ Pass Quiz 2 Not yet")
    assert "55%" in quiz
    assert "70%" in quiz
    assert checklist["grade"].startswith("✓")
    assert "Done" in checklist["grade"]
    bar = _page(block)[1].xpath("//*[@role='progressbar']")[0]
    assert bar.get("aria-valuenow") == "33"
    assert "Download PDF" not in text


def test_after_completing_everything_the_block_offers_the_certificate(lms):
    course = lms.course(lessons=3, quizzes=2)
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="Amelia Okafor")
    block = _block(course, learner)
    assert "Download PDF" not in _text(block)

    lms.pass_all_quizzes(learner, course, score=0.9)
    lms.complete_all(learner, course)

    [certificate] = api.certificates_for(learner)
    code = certificate.formatted_code
    fragment, doc = _page(block)
    text = " ".join(doc.text_content().split())
    links = {" ".join(a.text_content().split()): a.get("href") for a in doc.xpath("//a")}
    assert "Congratulations! Your certificate is ready." in text
    assert "Issued to Amelia Okafor for Python for Data Analysis" in text
    assert code in text
    assert links["Download PDF"] == f"/certs/{code}.pdf"
    assert links["Download PNG"] == f"/certs/{code}.png"
    assert links["Open the certificate page"] == f"/certs/{code}/"
    assert links["Share or verify"].endswith(f"/certs/verify/{code}/")
    assert "Not yet" not in text
    assert [resource.mimetype for resource in fragment.resources] == ["text/css"]  # the block's own CSS

    client = Client()
    client.force_login(learner)
    download = client.get(links["Download PDF"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"


def test_authors_can_hide_the_share_link(lms):
    course = lms.course(lessons=1, quizzes=1)
    api.configure_course(course.course_key)
    learner = lms.learner(course)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    block = _block(course, learner)
    block.show_share = False

    text = _text(block)
    assert "Download PDF" in text
    assert "Share or verify" not in text


def test_a_course_without_a_certificate_says_so(lms):
    course = lms.course()
    learner = lms.learner(course)
    staff = lms.staff(course)

    learner_text = _text(_block(course, learner))
    assert "This course does not offer a certificate." in learner_text
    assert "course staff" not in learner_text

    _, staff_page = _page(_block(course, staff))
    staff_text = " ".join(staff_page.text_content().split())
    assert "This course does not offer a certificate." in staff_text
    assert "For course staff" in staff_text
    [dashboard] = staff_page.xpath("//a")
    assert dashboard.get("href") == f"/certs/staff/{course.course_key}/"


def test_a_learner_awaiting_approval_is_told_so(lms):
    course = lms.course(lessons=2, quizzes=1)
    api.configure_course(course.course_key, requires_approval=True)
    learner = lms.learner(course)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)

    block = _block(course, learner)
    text = _text(block)
    assert "Your certificate is awaiting staff approval." in text
    assert "Not yet" in _checklist(block)["approval"]
    assert "Download PDF" not in text

    api.approve(learner, course.course_key, by=lms.staff(course))
    assert "Congratulations! Your certificate is ready." in _text(block)


def test_a_refused_learner_reads_the_reason_and_is_led_to_ask_for_review(lms):
    course = lms.course(lessons=2, quizzes=1)
    api.configure_course(course.course_key, requires_approval=True)
    learner = lms.learner(course)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    api.reject(learner, course.course_key, by=lms.staff(course), reason="Attendance below 80%")

    block = _block(course, learner)
    _, doc = _page(block)
    [refusal] = doc.xpath("//*[@data-refusal]")
    assert refusal.xpath(".//*[@data-refusal-reason]")[0].text_content() == "Attendance below 80%"
    [ask] = refusal.xpath(".//a[normalize-space()='Ask for review']")
    assert ask.get("href") == f"/certs/#{course.course_key}"  # the card's form

    api.request_review(learner, course.course_key)
    _, doc = _page(block)
    assert doc.xpath("//*[@data-refusal]//*[@data-review-requested]")
    assert not doc.xpath("//a[normalize-space()='Ask for review']")


def test_names_and_titles_are_escaped(lms):
    course = lms.course(lessons=1, quizzes=1, title="<script>alert('course')</script>Data")
    api.configure_course(course.course_key)
    learner = lms.learner(course, name="<script>alert('name')</script>Amelia")
    block = _block(course, learner)

    fragment, _ = _page(block)
    assert "<script>" not in fragment.body_html()
    assert "&lt;script&gt;alert(&#x27;course&#x27;)&lt;/script&gt;Data" in fragment.body_html()

    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    fragment, doc = _page(block)
    assert "<script>" not in fragment.body_html()
    assert not doc.xpath("//script")
    text = " ".join(doc.text_content().split())
    assert "Issued to <script>alert('name')</script>Amelia for <script>alert('course')</script>Data" in text


@pytest.mark.parametrize("users", [
    _Users(None, authenticated=False),  # anonymous visitor
    _Users(987654321),  # an id the LMS has no user for
    _Users("not-an-id"),
], ids=["anonymous", "unknown-id", "malformed-id"])
def test_a_visitor_who_is_not_signed_in_gets_a_sign_in_note(lms, users):
    course = lms.course()
    api.configure_course(course.course_key)
    text = _text(_block(course, users=users))
    assert "Sign in to see your progress toward the certificate of this course." in text


def test_a_runtime_without_a_user_service_gets_the_sign_in_note(lms):
    course = lms.course()
    api.configure_course(course.course_key)
    runtime = TestRuntime(services={"field-data": KvsFieldData(DictKeyValueStore())})
    usage = CourseKey.from_string(str(course.course_key)).make_usage_key("cert_progress", "progress")
    block = runtime.construct_xblock_from_class(CertificateProgressBlock,
                                                ScopeIds(None, "cert_progress", usage, usage))
    assert "Sign in to see your progress" in _text(block)


# --------------------------------------------------------------------------- authors


def test_studio_submit_saves_the_settings_learners_see(lms):
    course = lms.course(lessons=3)
    api.configure_course(course.course_key)
    learner = lms.learner(course)
    store = DictKeyValueStore()
    block = _block(course, learner, store=store)

    response = _submit(block, {"display_name": "  Your certificate  ", "intro": "Finish these <b>steps</b>.",
                               "show_share": False})

    assert response.status_code == 200
    assert response.json == {"result": "success"}
    reloaded = _block(course, learner, store=store)  # a fresh block over the same stored fields
    assert (reloaded.display_name, reloaded.intro, reloaded.show_share) == (
        "Your certificate", "Finish these <b>steps</b>.", False)
    _, doc = _page(reloaded)
    assert doc.xpath("//h3")[0].text_content() == "Your certificate"
    assert "Finish these <b>steps</b>." in doc.text_content()
    assert not doc.xpath("//b")


def test_studio_submit_refuses_an_overlong_intro_and_saves_nothing(lms):
    course = lms.course()
    block = _block(course, lms.learner(course))

    response = _submit(block, {"display_name": "Renamed", "intro": "x" * 1001})

    assert response.status_code == 400
    assert "Introduction is too long: 1001 characters, at most 1000." in response.json["error"]
    assert block.display_name == "Certificate progress"
    assert block.intro == "Here is what you still need to earn your certificate."


@pytest.mark.parametrize(("payload", "message"), [
    ({"display_name": "   "}, "Display name cannot be empty."),
    ({"show_share": "yes"}, "Show the share link must be true or false."),
    ({"intro": 12}, "Introduction must be text."),
    ({"colour": "red"}, "Unknown setting 'colour'."),
])
def test_studio_submit_explains_what_to_fix(lms, payload, message):
    course = lms.course()
    response = _submit(_block(course, lms.learner(course)), payload)
    assert response.status_code == 400
    assert message in response.json["error"]


def test_the_studio_form_labels_every_setting(lms):
    course = lms.course()
    block = _block(course, lms.learner(course))
    block.intro = 'Say "hi" <now>'
    fragment, doc = _page(block, "studio_view")

    labels = {label.get("for"): label.text_content() for label in doc.xpath("//label")}
    for control in doc.xpath("//input | //textarea"):
        assert labels.get(control.get("id")), f"{control.get('name')} has no label"
    assert doc.xpath("//textarea[@name='intro']")[0].text_content() == 'Say "hi" <now>'
    assert doc.xpath("//textarea[@name='intro']")[0].get("maxlength") == "1000"
    assert fragment.js_init_fn == "CertProgressStudio"


def test_authors_see_the_courses_requirements(lms):
    course = lms.course(lessons=3, quizzes=2)
    quiz2 = lms.quizzes(course)[1]
    api.configure_course(course.course_key, required_quizzes=[str(quiz2.usage_key)], min_quiz_score=0.8,
                         requires_approval=True)

    text = _text(_block(course, lms.staff(course)), "author_view")
    assert "Preview" in text
    assert "Complete all lessons" in text
    assert "Score at least 80% on Quiz 2" in text
    assert "Get approval from the course staff" in text


def test_authors_of_a_course_without_certificate_get_a_hint(lms):
    course = lms.course()
    _, doc = _page(_block(course, lms.staff(course)), "author_view")
    text = " ".join(doc.text_content().split())
    assert "This course does not offer a certificate yet." in text
    assert doc.xpath("//a")[0].get("href") == f"/certs/staff/{course.course_key}/"


# --------------------------------------------------------------------------- installation


def test_the_entry_point_names_the_block():
    assert XBlock.load_class("cert_progress") is CertificateProgressBlock


def test_the_block_is_not_counted_as_a_lesson():
    """Open edX leaves excluded blocks out of completion, so the checklist's lesson count stays true."""
    assert XBlockCompletionMode.get_mode(CertificateProgressBlock) == XBlockCompletionMode.EXCLUDED
