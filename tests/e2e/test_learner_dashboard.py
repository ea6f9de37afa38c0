"""A learner earns a certificate in the demo LMS and finds it on "My certificates".

Everything goes through the pages a learner uses: the course page's "Mark as
complete" button and quiz form (whose grade events issue the certificate),
then the header's "My certificates" link, the card's download and share.
"""

from __future__ import annotations

import io

from pypdf import PdfReader

from cert_plugin import api
from tests.e2e.conftest import SCREENSHOTS


def _two_courses(lms):
    """Amelia: 2 of 3 lessons done in "Python for Data Analysis" (one quiz, not taken yet) and
    1 lesson into "Safety Officer Certification"."""
    from devhost.lms.models import Enrollment

    python = lms.course(title="Python for Data Analysis", lessons=3, quizzes=1)
    api.configure_course(python.course_key)
    safety = lms.course(title="Safety Officer Certification", lessons=4, quizzes=1)
    api.configure_course(safety.course_key, required_quizzes=[str(lms.quizzes(safety)[0].usage_key)])
    learner = lms.learner(python, name="Amelia Okafor")
    Enrollment.objects.create(user=learner, course=safety)
    lms.complete_all(learner, python, but=1)
    lms.complete(learner, lms.lessons(safety)[0])
    return learner, python, safety


def _finish_in_the_lms(page, lms, course) -> None:
    """Mark the last lesson complete and pass the quiz, as a learner does on the course page."""
    page.goto(f"/courses/{course.course_key}/")
    last = lms.lessons(course)[-1]
    page.locator(f"#block-{last.pk}").get_by_role("button", name="Mark as complete").click()
    page.get_by_text("“Lesson 3” marked as complete.").wait_for()
    [quiz] = lms.quizzes(course)
    form = page.locator(f"#block-{quiz.pk} form")
    for radio in form.get_by_role("radio", name="right").all():
        radio.check()
    form.get_by_role("button", name="Submit answers").click()
    page.get_by_text("Quiz 1: you scored 100%.").wait_for()


def test_a_learner_finishes_a_course_and_downloads_the_certificate_from_my_certificates(lms, new_context):
    learner, python, _ = _two_courses(lms)
    page = new_context(learner).new_page()
    page.goto("/certs/")
    assert page.get_by_role("heading", name="Earned").count() == 0
    assert page.get_by_role("link", name="Download PDF (Python for Data Analysis)").count() == 0

    _finish_in_the_lms(page, lms, python)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My certificates").click()

    page.get_by_role("heading", level=1, name="My certificates").wait_for()
    earned = page.locator("section", has=page.get_by_role("heading", name="Earned"))
    card = earned.get_by_role("article", name="Python for Data Analysis")
    assert card.get_by_text("Issued", exact=True).is_visible()
    assert card.get_by_role("img", name="Certificate of completion for Amelia Okafor, "
                                       "Python for Data Analysis").is_visible()
    for name in ("Download PDF", "Download PNG", "Share"):
        assert card.get_by_role(card_role(name), name=f"{name} (Python for Data Analysis)").is_visible()
    in_progress = page.locator("section", has=page.get_by_role("heading", name="In progress"))
    assert in_progress.get_by_role("article", name="Safety Officer Certification").is_visible()

    with page.expect_download() as download_info:
        card.get_by_role("link", name="Download PDF (Python for Data Analysis)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read())).pages)
    assert "Amelia Okafor" in text
    [certificate] = api.certificates_for(learner)
    assert certificate.formatted_code in download.suggested_filename


def card_role(name: str) -> str:
    return "button" if name == "Share" else "link"


def test_share_on_a_card_copies_that_certificates_verify_link(lms, new_context):
    learner, python, _ = _two_courses(lms)
    lms.complete_all(learner, python)
    lms.pass_all_quizzes(learner, python)
    [certificate] = api.certificates_for(learner)
    context = new_context(learner, permissions=["clipboard-read", "clipboard-write"])
    context.add_init_script("delete Navigator.prototype.share; delete Navigator.prototype.canShare;")
    page = context.new_page()
    page.goto("/certs/")

    page.get_by_role("button", name="Share (Python for Data Analysis)").click()

    page.get_by_role("status").filter(has_text="Link copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == api.verify_url(certificate.verification_code)


def test_screenshots_of_my_certificates(lms, new_context):
    learner, python, _ = _two_courses(lms)
    lms.complete_all(learner, python)
    lms.pass_all_quizzes(learner, python)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewports = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
    for name, viewport in viewports.items():
        page = new_context(learner, viewport=viewport).new_page()
        page.goto("/certs/")
        page.wait_for_function("() => [...document.images].every(img => img.complete && img.naturalWidth)")
        page.screenshot(path=str(SCREENSHOTS / f"learner-dashboard-{name}.png"), full_page=True)
