"""``cert_progress``: the learner's certificate progress, inside the course.

Course authors drop this block into a unit (usually the last one). A learner
sees where they stand: the checklist with a progress bar while they work, a
note while the staff review their work, and the download, share and verify
links once the certificate is issued. Authors see the course's requirements in
plain sentences.

The block knows nothing of edx-platform (STYLE.md rule 3): it finds the learner
through the XBlock runtime's standard ``user`` service, the course through its
usage key, and asks :mod:`cert_plugin.api` for everything else. It writes only
its own XBlock fields (through the runtime), never the plugin's models.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from opaque_keys.edx.keys import CourseKey
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Scope, String

from cert_plugin import api

__all__ = ["CertificateProgressBlock"]

# Longest values the studio form accepts (the block shows them as plain text).
MAX_LENGTHS = {"display_name": 100, "intro": 1000, "done_message": 500}

_TEMPLATES = "cert_plugin/xblock/"
_STATIC = "static/cert_plugin/xblock/"
# opt_attrs keys of the XBlockUser that Open edX's user service returns.
_USER_ID = "edx-platform.user_id"
_AUTHENTICATED = "edx-platform.is_authenticated"


@lru_cache(maxsize=8)
def _resource(name: str) -> str:
    """A CSS or JS file shipped in ``cert_plugin/static/cert_plugin/xblock/``."""
    return resources.files("cert_plugin").joinpath(_STATIC + name).read_text(encoding="utf-8")


def _url(name: str, *args: str) -> str:
    """The path of one of the plugin's pages, or "" where the host did not mount them (Studio)."""
    try:
        return reverse(f"cert_plugin:{name}", args=args)
    except NoReverseMatch:
        return ""


@XBlock.wants("user")
class CertificateProgressBlock(XBlock):
    """Shows the current learner's certificate progress in the course it sits in."""

    display_name = String(
        display_name="Display name",
        help="The heading learners see above the block.",
        default="Certificate progress",
        scope=Scope.settings,
    )
    intro = String(
        display_name="Introduction",
        help="Text shown above the checklist while the learner works toward the certificate.",
        default="Here is what you still need to earn your certificate.",
        scope=Scope.settings,
        multiline_editor=True,
    )
    done_message = String(
        display_name="Message once issued",
        help="Text shown when the learner's certificate is ready.",
        default="Congratulations! Your certificate is ready.",
        scope=Scope.settings,
        multiline_editor=True,
    )
    show_share = Boolean(
        display_name="Show the share link",
        help="Offer the public verify link, which learners can share with employers.",
        default=True,
        scope=Scope.settings,
    )

    editable_fields = ("display_name", "intro", "done_message", "show_share")
    # Not a lesson: otherwise placing the block in a course would add one to "N of M lessons completed".
    completion_mode = XBlockCompletionMode.EXCLUDED

    # ------------------------------------------------------------------ views

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """What the learner sees: checklist, approval note, or the certificate's links."""
        return self._fragment("progress.html", self._learner_context())

    def author_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """What authors see in Studio: a preview note and the course's requirements."""
        key = self._course_key()
        config = api.get_config(key) if key is not None else None
        offered = config is not None and config.enabled
        return self._fragment("author.html", {
            **self._settings(),
            "offered": offered,
            "requirements": self._requirement_sentences(key, config) if offered else [],
            "approval": bool(offered and config and config.requires_approval),
            "dashboard_url": _url("staff-dashboard", str(key)) if key is not None else "",
        })

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The settings form (Studio's "Edit")."""
        fragment = self._fragment("studio.html", {**self._settings(), "max": MAX_LENGTHS})
        fragment.add_javascript(_resource("studio.js"))
        fragment.initialize_js("CertProgressStudio")
        return fragment

    # ------------------------------------------------------------------ handlers

    @XBlock.json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> dict[str, str]:
        """Save the settings form: ``{"display_name", "intro", "done_message", "show_share"}``.

        Every field is optional; all are checked before any is saved. Answers
        ``{"result": "success"}``, or 400 with ``{"error": "<what to fix>"}``.
        """
        if not isinstance(data, dict):
            raise JsonHandlerError(400, "Send the settings as a JSON object.")
        problems = [f"Unknown setting {name!r}." for name in data if name not in self.editable_fields]
        cleaned: dict[str, Any] = {}
        for name, value in data.items():
            if name == "show_share":
                if isinstance(value, bool):
                    cleaned[name] = value
                else:
                    problems.append("Show the share link must be true or false.")
            elif name in MAX_LENGTHS:
                problem = self._check_text(name, value)
                if problem:
                    problems.append(problem)
                else:
                    cleaned[name] = value.strip()
        if problems:
            raise JsonHandlerError(400, " ".join(problems))
        for name, value in cleaned.items():
            setattr(self, name, value)
        return {"result": "success"}

    def _check_text(self, name: str, value: Any) -> str:
        label = self.fields[name].display_name
        if not isinstance(value, str):
            return f"{label} must be text."
        if name == "display_name" and not value.strip():
            return f"{label} cannot be empty."
        limit = MAX_LENGTHS[name]
        if len(value.strip()) > limit:
            return f"{label} is too long: {len(value.strip())} characters, at most {limit}."
        return ""

    # ------------------------------------------------------------------ learner state

    def _learner_context(self) -> dict[str, Any]:
        context: dict[str, Any] = self._settings()
        user = self._current_user()
        key = self._course_key()
        if user is None:
            return {**context, "state": "anonymous"}
        if key is None:
            return {**context, "state": "not_offered"}
        try:
            progress = api.get_progress(user, key)
        except api.UnknownCourse:  # the block sits in a course the LMS does not (or no longer) know
            return {**context, "state": "not_offered"}
        context.update(state=progress.status, progress=progress, course_title=self._course_title(key))
        if progress.refusal is not None and progress.refusal.review_requested_at is None:
            # "Ask for review" is a form on the learner's card (the block's page may be in another site)
            card = _url("learner-dashboard")
            context.update(review_url=f"{card}#{key}" if card else "")
        if progress.status == "issued" and progress.certificate is not None:
            context.update(self._certificate_links(progress.certificate))
        elif progress.status == "not_offered" and api.get_host().is_course_staff(user, key):
            context.update(staff=True, dashboard_url=_url("staff-dashboard", str(key)))
        return context

    @staticmethod
    def _certificate_links(certificate: Any) -> dict[str, Any]:
        code = certificate.formatted_code
        return {
            "certificate": certificate,
            "code": code,
            "page_url": _url("certificate", code),
            "pdf_url": _url("download-pdf", code),
            "png_url": _url("download-png", code),
            "verify_url": api.verify_url(code),
        }

    def _current_user(self) -> Any:
        """The Django user the runtime's ``user`` service names, or None (anonymous, unknown)."""
        service = self.runtime.service(self, "user")
        current = service.get_current_user() if service is not None else None
        attrs = getattr(current, "opt_attrs", None) or {}
        if attrs.get(_AUTHENTICATED) is False:
            return None
        raw_id = attrs.get(_USER_ID)
        if raw_id is None or isinstance(raw_id, bool):  # anonymous, or a preview without a learner
            return None
        try:
            user_id = int(raw_id)
        except (TypeError, ValueError):  # not a user id
            return None
        return get_user_model().objects.filter(pk=user_id).first()

    def _course_key(self) -> CourseKey | None:
        usage_id = self.scope_ids.usage_id
        key = getattr(usage_id, "context_key", None) or getattr(usage_id, "course_key", None)
        return key if isinstance(key, CourseKey) else None

    @staticmethod
    def _course_title(key: CourseKey) -> str:
        course = api.get_host().course(key)
        return course.title if course is not None else str(key)

    @staticmethod
    def _requirement_sentences(key: CourseKey | None, config: Any) -> list[str]:
        """The course's requirements in plain sentences."""
        if key is None or config is None:
            return []
        try:
            return api.requirements_summary(key)
        except api.RequirementsError:  # the staff dashboard says what is wrong
            return []

    # ------------------------------------------------------------------ rendering

    def _settings(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.editable_fields}

    def _fragment(self, template: str, context: dict[str, Any]) -> Fragment:
        fragment = Fragment(render_to_string(_TEMPLATES + template, context))
        fragment.add_css(_resource("progress.css"))
        return fragment
