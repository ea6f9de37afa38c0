"""Issue 13, point 4: the page and size limit holds on every real render, not only with sample data.

Before, a template that branches on the learner's name passed the one-page check
with the sample learner and rendered 289 pages for a real one, with no error.
Now the real render is refused, staff see the learner and the reason, and the
certificate stays downloadable from its previous revision.
"""

from __future__ import annotations

from cert_plugin import api
from cert_plugin.models import Certificate, RenderedFile

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
