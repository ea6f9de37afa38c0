"""Attaching a template to courses and detaching it (``/certs/templates/<id>/courses/``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cert_plugin import api
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.templates_editor.common import forbidden, login_required, see_other, visible_template


@content_security_policy
@require_POST
@login_required
def template_attach(request: HttpRequest, template_id: int) -> HttpResponse:
    """POST ``course_key`` and ``action`` (attach | detach): which template a course issues with."""
    template = visible_template(request, template_id)  # the course's staff decide (the api checks its org)
    if template is None:
        return forbidden(request)
    action = request.POST.get("action", "attach")
    text = str(request.POST.get("course_key", "")).strip()
    edit_url = reverse("cert_plugin:template-edit", args=[template.pk])
    try:
        key = api.parse_course_key(text)
    except api.InvalidCourseKey as exc:
        messages.error(request, str(exc), fail_silently=True)
        return see_other(edit_url + "#courses")
    if not (request.user.is_staff or api.get_host().is_course_staff(request.user, key)):
        return forbidden(request, _("Only the course staff of %(course)s can change its certificate.") % {
            "course": key})
    had_config = api.get_config(key) is not None
    try:
        if action == "detach":
            if key not in api.courses_using(template):
                raise api.TemplateError(_("The course %(course)s does not use this template.") % {
                    "course": key})
            api.set_course_template(key, None, by=request.user)
        else:
            api.set_course_template(key, template, by=request.user)
    except (api.CertPluginError, ValueError) as exc:
        messages.error(request, str(exc), fail_silently=True)
        return see_other(edit_url + "#courses")
    if action == "detach":
        messages.success(request, _("%(course)s now issues certificates with the built-in template.") % {
            "course": key}, fail_silently=True)
    elif had_config:
        messages.success(request, _("%(course)s now issues certificates with “%(name)s”. Certificates "
                                    "already issued keep their design until they are reissued.") % {
            "course": key, "name": template.name}, fail_silently=True)
    else:
        messages.success(request, _("%(course)s now offers a certificate with “%(name)s”. Learners who "
                                    "already meet the requirements receive theirs in the next minutes.") % {
            "course": key, "name": template.name}, fail_silently=True)
    return see_other(edit_url + "#courses")
