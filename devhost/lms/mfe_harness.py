"""The MFE harness: cert-plugin-frontend's widgets mounted as the Open edX MFEs mount them.

``frontend/`` builds a page (``frontend/build/harness``, ``npm run build``) that mounts the widgets
through frontend-plugin-framework's ``PluginSlot``, in the shapes of the learning MFE's Progress tab
and of the learner dashboard. The demo serves it here, to a logged-in learner, so it talks to the
plugin's real REST API with the LMS session (the MFEs use the JWT cookie; the widgets do not know
the difference). The browser tests and the documentation's screenshots use it.

- ``/mfe-harness/learning/course/<course key>/progress``: the Progress tab of one course;
- ``/mfe-harness/learner-dashboard/``: the learner's courses, each a card, and the sidebar.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET
from django.views.static import serve

from devhost.lms.models import Enrollment
from devhost.lms.views import _course_or_404

MFES = ("learning", "learner-dashboard")


def _built() -> bool:
    return (settings.MFE_HARNESS_DIR / "harness.js").is_file()


@require_GET
@login_required
@ensure_csrf_cookie  # the session's CSRF token, which the harness's auth service sends with a POST
def page(request: HttpRequest, mfe: str, rest: str = "") -> HttpResponse:
    if mfe not in MFES:
        raise Http404("No such MFE in the harness.")
    if not _built():
        return HttpResponse("The MFE harness is not built: run `make frontend` (npm ci, then npm run build "
                            "in frontend/).", status=503, content_type="text/plain; charset=utf-8")
    title = ""
    if mfe == "learning":
        parts = rest.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "course" or parts[2] != "progress":
            raise Http404("The learning harness shows /course/<course key>/progress.")
        title = _course_or_404(parts[1]).title
    enrollments = (Enrollment.objects.filter(user=request.user, is_active=True)
                   .select_related("course").order_by("created", "pk"))
    cards = [{"course_key": str(e.course.course_key), "course_title": e.course.title,
              "course_url": reverse("lms:course", args=[str(e.course.course_key)])} for e in enrollments]
    config = {
        "mfe": mfe,
        "lms": request.build_absolute_uri("/").rstrip("/"),
        "locale": translation.get_language() or "en",
        "course_title": title,
        "cards": cards,
    }
    return render(request, "devhost_lms/mfe_harness.html", {
        "config": config, "bidi": translation.get_language_bidi(),
    })


def static(request: HttpRequest, name: str) -> HttpResponse:
    """The harness's script and Paragon's styles, from ``frontend/build/harness``."""
    return serve(request, name, document_root=str(settings.MFE_HARNESS_DIR))
