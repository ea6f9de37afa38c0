"""The *Settings* tab (``/certs/staff/<course_key>/settings/``): the course's certificate offer."""

from __future__ import annotations

from typing import Any

from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cert_plugin import api
from cert_plugin.forms import SettingsForm
from cert_plugin.views.csp import content_security_policy
from cert_plugin.views.staff.common import (
    StaffCourse,
    course_url,
    flash_success,
    page_context,
    redirect_to,
    settings_summary,
    staff_only,
)


def _template_choices(course: StaffCourse) -> tuple[list[tuple[int, str]], int | None, dict[int, Any]]:
    found = api.templates(org=course.info.org)
    builtins = api.builtin_templates()
    default = builtins[0].pk if builtins else None
    choices = []
    for template in found:
        if template.is_builtin:
            label = _("%(name)s (built-in)") % {"name": template.name}
        elif template.org:
            label = _("%(name)s (%(org)s)") % {"name": template.name, "org": template.org}
        else:
            label = template.name
        choices.append((template.pk, label))
    return choices, default, {template.pk: template for template in found}


_Choices = list[tuple[str, str]]


def _quiz_choices(course: StaffCourse, config: Any) -> tuple[_Choices, list[tuple[str, list[str]]]]:
    """The blocks staff may require, and their groups: graded subsections (what Open edX calls an
    assignment or quiz), graded problems (each labelled with its subsection), and required blocks
    the course no longer grades."""
    subsections: list[tuple[str, str]] = []
    problems: list[tuple[str, str]] = []
    for block in api.get_host().outline(course.key):
        if not block.graded:
            continue
        key = str(block.usage_key)
        if block.subsection:
            problems.append((key, _("%(problem)s (in %(subsection)s)") % {
                "problem": block.title, "subsection": block.subsection}))
        elif block.assignment_type:
            subsections.append((key, _("%(title)s (%(type)s)") % {
                "title": block.title, "type": block.assignment_type}))
        else:
            subsections.append((key, block.title))
    known = {key for key, _label in subsections + problems}
    stale = [(key, _("%(key)s (no longer a graded block of this course)") % {"key": key})
             for key in (config.required_quizzes or [] if config is not None else []) if key not in known]
    groups = [(heading, [key for key, _label in choices]) for heading, choices in (
        (_("Graded subsections"), subsections), (_("Single graded problems"), problems),
        (_("No longer graded"), stale)) if choices]
    return subsections + problems + stale, groups


def _quiz_groups(form: SettingsForm, groups: list[tuple[str, list[str]]]) -> list[tuple[str, list[Any]]]:
    """The form's quiz checkboxes under their group headings, for the template."""
    options = {str(option.data["value"]): option for option in form["required_quizzes"]}
    return [(heading, [options[key] for key in keys if key in options]) for heading, keys in groups]


@content_security_policy
@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def settings_page(request: HttpRequest, course: StaffCourse) -> HttpResponse:
    """``/certs/staff/<course_key>/settings/``: the certificate offer and its requirements."""
    config = api.get_config(course.key)
    templates, default_template, by_pk = _template_choices(course)
    quizzes, quiz_groups = _quiz_choices(course, config)
    initial = SettingsForm.initial_from(config, default_template=default_template)
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST, templates=templates, quizzes=quizzes)
        valid = form.is_valid()
        # The api judges what the form could read, even when the form refused other fields: staff
        # see every problem at once, not one per attempt.
        try:
            problems = api.configuration_problems(course.key, **form.api_arguments())
        except api.CertPluginError as exc:
            problems = [str(exc)]
        form.add_api_problems(problems)
        if valid and not problems:
            chosen = by_pk.get(form.cleaned_data["template"])
            template = None if chosen is None or chosen.pk == default_template else chosen
            was_enabled = bool(config and config.enabled)
            try:
                saved = api.configure_course(course.key, template=template, by=request.user,
                                             **form.api_arguments())
            except api.CertPluginError as exc:
                form.add_api_error(str(exc))
            else:
                if saved.enabled and not was_enabled:
                    flash_success(request, _("Saved. Certificates are on: learners who already meet the "
                                             "requirements receive theirs now."))
                elif saved.enabled:
                    flash_success(request, _("Saved. The new requirements apply from now on; certificates "
                                             "already issued do not change."))
                else:
                    flash_success(request, _("Saved. This course does not offer a certificate now; "
                                             "certificates already issued stay valid."))
                return redirect_to(course_url("staff-settings", course))
        status = 400
    else:
        form = SettingsForm(initial=initial, templates=templates, quizzes=quizzes)
    context = {
        **page_context(request, course, "settings", config=config),
        "summary": settings_summary(course, config),
        "form": form,
        "problems": form.problem_list() if form.is_bound else [],
        "has_quizzes": bool(quizzes),
        "quiz_groups": _quiz_groups(form, quiz_groups),
        "action_url": course_url("staff-settings", course),
    }
    return render(request, "cert_plugin/staff/settings.html", context, status=status)
