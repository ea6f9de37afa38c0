"""Issue 13, point 4: the page and size limit holds on every real render, not only with sample data.

Before, a template that branches on the learner's name passed the one-page check
with the sample learner and rendered 289 pages for a real one, with no error.
Now the real render is refused, staff see the learner and the reason, and the
certificate stays downloadable from its previous revision.
"""

from __future__ import annotations

import contextlib
import threading
import time

from cert_plugin import api
from cert_plugin.models import Certificate, RenderedFile
from tests.rendering.conftest import hold_up_weasyprint, text_of

# One page for short names (the sample's "Jane Smith"-like ones); a page per letter for long ones.
BRANCHING = ("<h1>{{ learner_name }}</h1>{% if learner_name|length > 24 %}{% for letter in learner_name %}"
             '<div style="page-break-before: always">{{ letter }}</div>{% endfor %}{% endif %}')


def test_a_template_that_overruns_for_a_real_learner_is_reported_and_the_last_good_file_kept(lms):
    course = lms.course()
    template = api.create_template("Branching", html=BRANCHING)  # passes with the sample learner
    api.configure_course(course.course_key, backfill=False)
    api.set_course_template(course.course_key, template)
    learner = lms.learner(course, name="Ann Lee")
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    certificate = api.active_certificate(learner, course.course_key)
    first = api.render_pdf(Certificate.objects.get(pk=certificate.pk))  # revision 1: one page
    learner.lms_profile.full_name = "Maximiliana Alexandrovna Konstantinopolskaya"
    learner.lms_profile.save()

    reissued = api.reissue(Certificate.objects.get(pk=certificate.pk), reason="name changed")
    served = api.render_pdf(Certificate.objects.get(pk=reissued.pk))

    reissued.refresh_from_db()
    assert "Maximiliana Alexandrovna Konstantinopolskaya" in reissued.render_error
    assert "pages" in reissued.render_error
    assert served == first, "the certificate is no longer downloadable from its previous revision"
    assert not RenderedFile.objects.filter(certificate=reissued, revision=reissued.revision).exists()


# Issue 13, point 3 for real renders: a staff template's certificate renders in a child process
# with a time and a memory limit. WeasyPrint is held up on purpose when the page carries a marker
# (here: in the learner's name), once the certificate is issued.


def _held_up_weasyprint(monkeypatch, started_file):
    hold_up_weasyprint(monkeypatch, started_file, slow="Slowpoke", huge="Hoarder")


def _staff_certificate(lms, name):
    course = lms.course()
    template = api.create_template("Staff-made", html="<h1>{{ learner_name }}</h1><p>{{ course_title }}</p>")
    api.configure_course(course.course_key, backfill=False)
    api.set_course_template(course.course_key, template)
    learner = lms.learner(course, name=name)
    lms.complete_all(learner, course)
    lms.pass_all_quizzes(learner, course)
    certificate = api.active_certificate(learner, course.course_key)
    RenderedFile.objects.filter(certificate=certificate).delete()  # a first download before the render task
    return Certificate.objects.get(pk=certificate.pk)


def test_a_real_render_that_stalls_is_stopped_reported_and_other_renders_go_on(lms, monkeypatch, tmp_path):
    from cert_plugin.domain import files as files_room
    from tests.rendering.conftest import render as render_sample_pdf

    started = tmp_path / "started"
    certificate = _staff_certificate(lms, "Sam Slowpoke")
    _held_up_weasyprint(monkeypatch, started)
    monkeypatch.setattr(files_room, "RENDER_SECONDS", 6.0, raising=False)
    other: dict[str, object] = {}

    def another_users_render():  # a render in the same process while the stalled one runs
        while not started.exists():
            time.sleep(0.05)
        begun = time.monotonic()
        other["pdf"] = render_sample_pdf("<h1>Ordinary</h1>", "")
        other["seconds"] = time.monotonic() - begun

    neighbour = threading.Thread(target=another_users_render, daemon=True)
    neighbour.start()
    try:
        api.render_pdf(certificate)
    except api.RenderFailed as exc:
        failure = str(exc)
    else:
        failure = "rendered"
    neighbour.join(timeout=60)

    certificate.refresh_from_db()
    assert "could not be prepared right now" in failure
    assert "Sam Slowpoke" in certificate.render_error
    assert "took longer than 6 seconds" in certificate.render_error
    assert bytes(other["pdf"]).startswith(b"%PDF")
    assert other["seconds"] < 6, "the other render waited for the stalled one"


def test_a_real_render_that_needs_too_much_memory_is_stopped_and_the_process_stays_small(lms, monkeypatch,
                                                                                         tmp_path):
    import resource

    from cert_plugin.domain import files as files_room

    certificate = _staff_certificate(lms, "Hana Hoarder")
    _held_up_weasyprint(monkeypatch, tmp_path / "started")
    monkeypatch.setattr(files_room, "RENDER_MEMORY_MB", 512, raising=False)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    with contextlib.suppress(api.RenderFailed):
        api.render_pdf(certificate)

    certificate.refresh_from_db()
    assert "needed more than 512 MB" in certificate.render_error
    assert "Hana Hoarder" in certificate.render_error
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mb < 256, f"the web process itself grew by {grown_mb:.0f} MB"


def test_a_staff_template_renders_the_same_certificate_in_its_child_process(lms):
    certificate = _staff_certificate(lms, "Ann Lee")

    pdf = api.render_pdf(certificate)

    assert pdf.startswith(b"%PDF")
    assert "Ann Lee" in text_of(pdf)
    certificate.refresh_from_db()
    assert certificate.render_error == ""
    assert RenderedFile.objects.filter(certificate=certificate, kind=RenderedFile.PDF).exists()
