"""Archiving, unarchiving and deleting a template (``/certs/templates/<id>/archive/``)."""

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
def template_archive(request: HttpRequest, template_id: int) -> HttpResponse:
    """POST ``action``: ``archive``, ``unarchive`` or ``delete`` (with ``confirm=1``).

    Archiving takes the template out of the list and the course pickers (refused while a course
    issues with it); certificates issued with it keep rendering with it. Deleting is for a template
    no certificate and no course uses. A refusal comes back to the editor with its reason.
    """
    template = visible_template(request, template_id)
    if template is None or not api.can_edit_template(request.user, template):
        return forbidden(request)
    action = request.POST.get("action", "")
    edit_url = reverse("cert_plugin:template-edit", args=[template.pk])
    list_url = reverse("cert_plugin:template-list")
    try:
        if action == "archive":
            api.archive_template(template, by=request.user)
            messages.success(request, _("“%(name)s” is archived: it is no longer in the template list or the "
                                        "course settings. Certificates issued with it still show it.") % {
                "name": template.name}, fail_silently=True)
            return see_other(list_url)
        if action == "unarchive":
            api.unarchive_template(template, by=request.user)
            back = _("“%(name)s” is back in the template list and the course settings.")
            messages.success(request, back % {"name": template.name}, fail_silently=True)
            return see_other(edit_url)
        if action == "delete":
            if request.POST.get("confirm") != "1":
                raise api.TemplateError(_("Tick “Delete for good” to confirm: a deleted template cannot be "
                                          "brought back."))
            was_archived = template.archived_at is not None
            name = api.delete_template(template, by=request.user)
            messages.success(request, _("“%(name)s” is deleted.") % {"name": name}, fail_silently=True)
            return see_other(list_url + ("?archived=1" if was_archived else ""))
        raise api.TemplateError(_("Choose whether to archive, unarchive or delete the template."))
    except api.TemplateError as exc:
        messages.error(request, str(exc), fail_silently=True)
        return see_other(edit_url + "#archive")
