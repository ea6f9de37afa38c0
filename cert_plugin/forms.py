"""Forms of the course staff certificates dashboard.

They turn what staff typed into the arguments of :mod:`cert_plugin.api` calls
(percentages into shares, "key | label" lines into additional requirements) and
check only the shape of the input. The requirements themselves (a quiz that is
not graded, a validity of 0 days...) are judged by ``api.configure_course``,
whose message the view shows on the form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BulkForm",
    "DecideRequestForm",
    "ReasonForm",
    "RevokeForm",
    "SettingsForm",
    "additional_problems",
    "format_additional",
    "parse_additional",
]

_SEPARATOR = re.compile(r"\s*\|\s*")


def parse_additional(text: str) -> list[dict[str, str]]:
    """"key | label" lines as ``[{"key", "label"}]`` (blank lines skipped; a line without "|" is a
    label whose key is made from it: :func:`additional_problems` reports such a line first)."""
    items = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if "|" in line:
            key, label = _SEPARATOR.split(line, maxsplit=1)
        else:
            key, label = _key_for(line), line
        items.append({"key": key.strip(), "label": label.strip()})
    return items


_KEY_LENGTH = 100  # RequirementRecord.key's column
_CHECKLIST_PREFIX = "req:"  # what the learner's checklist puts before each key (the api refuses it)


def _key_for(label: str) -> str:
    return slugify(label).replace("-", "_")[:_KEY_LENGTH] or label


def additional_problems(text: str) -> list[str]:
    """Every problem of the "key | label" lines, each naming its line (1 is the first); [] if none."""
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if "|" not in line:
            problems.append(str(_("Line %(line)s has no “|”: write it as “key | label”, for example "
                                  "“%(key)s | %(label)s”.") % {"line": number, "key": _key_for(line),
                                                                  "label": line}))
            continue
        key, label = (part.strip() for part in _SEPARATOR.split(line, maxsplit=1))
        if not key:
            problems.append(str(_("Line %(line)s has no key before the “|”.") % {"line": number}))
        elif len(key) > _KEY_LENGTH:
            problems.append(str(_("Line %(line)s: the key is longer than %(max)s characters.") % {
                "line": number, "max": _KEY_LENGTH}))
        elif key.startswith(_CHECKLIST_PREFIX):
            problems.append(str(_("Line %(line)s: a key may not start with “%(prefix)s”.") % {
                "line": number, "prefix": _CHECKLIST_PREFIX}))
        elif key in first_line:
            problems.append(str(_("Line %(line)s: the key “%(key)s” is already used on line %(first)s; each "
                                  "requirement needs a key of its own.") % {
                "line": number, "key": key, "first": first_line[key]}))
        else:
            first_line[key] = number
        if not label:
            problems.append(str(_("Line %(line)s has no label after the “|”: write what the learner must "
                                  "do.") % {"line": number}))
    return problems


def format_additional(items: Iterable[Mapping[str, str]]) -> str:
    return "\n".join(f"{item['key']} | {item['label']}" for item in items)


def _plain(value: Decimal | None) -> str | None:
    """Decimal("70.0") -> "70", Decimal("12.50") -> "12.5" (never "7E+1")."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def _percent(value: float | None) -> str | None:
    """0.7 -> "70" (for showing a stored share as a percentage)."""
    if value is None:
        return None
    return _plain((Decimal(str(value)) * 100).quantize(Decimal("0.1")))


class _AnyChoices(forms.MultipleChoiceField):
    """Checkboxes whose values the api judges (it names a quiz that is not graded in its message)."""

    def valid_value(self, value: Any) -> bool:
        return bool(str(value).strip())


class SettingsForm(forms.Form):
    """A course's certificate offer and requirements, in the words and units staff use."""

    enabled = forms.BooleanField(
        required=False, label=_("Offer a certificate in this course"),
        help_text=_("Turning it on also issues certificates to learners who already qualify."))
    template = forms.TypedChoiceField(
        label=_("Certificate template"), coerce=int,
        help_text=_("New certificates use it. Certificates already issued keep theirs until you "
                    "reissue them."))
    min_completion = forms.DecimalField(
        label=_("Lessons to complete (%)"), min_value=0, max_value=100, decimal_places=1,
        help_text=_("100 means every lesson; 0 means lessons are not required."))
    min_grade = forms.DecimalField(
        required=False, label=_("Minimum course grade (%)"), min_value=0, max_value=100, decimal_places=1,
        help_text=_("Leave empty to use the course's own pass/fail decision."))
    required_quizzes = _AnyChoices(
        required=False, label=_("Quizzes that must be passed"), widget=forms.CheckboxSelectMultiple)
    min_quiz_score = forms.DecimalField(
        label=_("Minimum score on each of those quizzes (%)"), min_value=0, max_value=100, decimal_places=1)
    requires_approval = forms.BooleanField(
        required=False, label=_("Course staff approve each certificate before it is issued"))
    additional_requirements = forms.CharField(
        required=False, strip=False,  # (unstripped: problems name the line staff see it on)
        label=_("Additional requirements confirmed by staff"), widget=forms.Textarea(
            attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("One per line, written “key | label”, e.g. “project | Final project accepted”. "
                    "You mark them met for each learner in the learners table."))
    validity_days = forms.IntegerField(
        required=False, label=_("Valid for (days)"),
        help_text=_("Leave empty for a certificate that never expires. 730 is about two years."))
    hours = forms.DecimalField(
        required=False, label=_("Total hours printed on the certificate"), decimal_places=2,
        help_text=_("The course's total hours of study, printed on each new certificate. Studio's "
                    "“Hours of effort per week” is not used: it is a weekly estimate, not a total. "
                    "Leave empty to print no hours (unless the LMS itself gives the course a total)."))

    def __init__(self, *args: Any, templates: Sequence[tuple[int, str]] = (),
                 quizzes: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template_field = self.fields["template"]
        assert isinstance(template_field, forms.TypedChoiceField)
        template_field.choices = list(templates)
        quiz_field = self.fields["required_quizzes"]
        assert isinstance(quiz_field, forms.MultipleChoiceField)
        quiz_field.choices = list(quizzes)
        self._describe()

    # Words of the api's messages that name a field (configuration_problems gives one message per problem).
    _API_FIELDS = (("Validity", "validity_days"), ("Hours", "hours"), ("Required quiz", "required_quizzes"),
                   ("Additional requirement", "additional_requirements"),
                   ("additional_requirements", "additional_requirements"), ("min_grade", "min_grade"),
                   ("min_completion", "min_completion"), ("min_quiz_score", "min_quiz_score"),
                   ("template", "template"))

    def add_api_error(self, message: str) -> None:
        """Show the api's refusal on the form, under the field it names (else above the form)."""
        self.add_api_problems([message])

    def add_api_problems(self, problems: Iterable[str]) -> None:
        """Show each of the api's problems under the field it names (else above the form)."""
        for message in problems:
            name = next((name for words, name in self._API_FIELDS if words in message), None)
            self.add_error(name, message)
        self._describe()

    def clean_additional_requirements(self) -> str:
        text = self.cleaned_data.get("additional_requirements") or ""
        problems = additional_problems(text)
        if problems:
            raise forms.ValidationError(problems)
        return text

    def problem_list(self) -> list[dict[str, str]]:
        """Every problem of the form, in the order of the page, for the summary above it: the
        message, and the label and element id of the field it belongs to ("" for the form's own)."""
        found = [{"label": "", "id": "", "message": str(error)} for error in self.non_field_errors()]
        for name, field in self.fields.items():
            element = "st-quizzes" if name == "required_quizzes" else f"id_{name}"
            found += [{"label": str(field.label), "id": element, "message": str(error)}
                      for error in self.errors.get(name, ())]
        return found

    def full_clean(self) -> None:
        super().full_clean()
        self._describe()

    def _describe(self) -> None:
        """Widget attributes for assistive technology: the hint and error each input is described by."""
        errors: Any = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            if not isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                textarea = isinstance(field.widget, forms.Textarea)
                attrs["class"] = "cp-input st-textarea" if textarea else "cp-input"
            ids = []
            if field.help_text:
                ids.append(f"id_{name}-hint")
            if name in errors:
                ids.append(f"id_{name}-error")
                attrs["aria-invalid"] = "true"
            if errors.get("__all__") and attrs.get("aria-invalid"):
                ids.append("st-problem")
            if ids and not isinstance(field.widget, forms.CheckboxSelectMultiple):
                attrs["aria-describedby"] = " ".join(ids)
            elif "aria-describedby" in attrs:
                del attrs["aria-describedby"]

    @staticmethod
    def initial_from(config: Any, *, default_template: int | None) -> dict[str, Any]:
        """The form's values for a stored configuration (or the api's defaults when there is none)."""
        if config is None:
            return {"enabled": True, "template": default_template, "min_completion": 100,
                    "min_grade": None, "required_quizzes": [], "min_quiz_score": 70,
                    "requires_approval": False, "additional_requirements": "", "validity_days": None,
                    "hours": None}
        return {
            "enabled": config.enabled,
            "template": config.template_id or default_template,
            "min_completion": _percent(config.min_completion),
            "min_grade": _percent(config.min_grade),
            "required_quizzes": list(config.required_quizzes or []),
            "min_quiz_score": _percent(config.min_quiz_score),
            "requires_approval": config.requires_approval,
            "additional_requirements": format_additional(config.additional_requirements or []),
            "validity_days": config.validity_days,
            "hours": None if config.hours is None else _plain(Decimal(config.hours)),
        }

    def api_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``api.configure_course`` (all but ``template``), from clean data.

        A field the form refused is given the api's default, so that ``api.configuration_problems``
        can still judge the others and every problem is shown at once.
        """
        data = self.cleaned_data

        def share(name: str, default: float | None) -> float | None:
            value = data.get(name)
            return default if value is None else float(value) / 100

        return {
            "enabled": bool(data.get("enabled")),
            "min_completion": share("min_completion", 1.0),
            "min_grade": share("min_grade", None),
            "required_quizzes": list(data.get("required_quizzes") or []),
            "min_quiz_score": share("min_quiz_score", 0.7),
            "requires_approval": bool(data.get("requires_approval")),
            "additional_requirements": parse_additional(data.get("additional_requirements") or ""),
            "validity_days": data.get("validity_days"),
            "hours": data.get("hours"),
        }


class ReasonForm(forms.Form):
    """An action on one learner with an optional reason (approve, reject, issue now)."""

    user = forms.IntegerField(min_value=1)
    reason = forms.CharField(required=False, max_length=2000, strip=True)


class RevokeForm(forms.Form):
    code = forms.CharField(max_length=40)
    reason = forms.CharField(max_length=2000, strip=True, label=_("Reason"),
                             error_messages={"required": _("Say why the certificate is revoked.")})
    publish_reason = forms.BooleanField(required=False, label=_("Show the reason on the public verify page"))


class DecideRequestForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", _("Grant")), ("decline", _("Decline"))])
    note = forms.CharField(required=False, max_length=2000, strip=True)


class BulkForm(forms.Form):
    """"Approve selected" or "Mark requirement … met for selected"."""

    action = forms.ChoiceField(choices=[("approve", _("Approve selected")),
                                        ("requirement", _("Mark requirement met for selected"))])
    users = forms.TypedMultipleChoiceField(coerce=int, error_messages={
        "required": _("Select at least one learner first.")})
    requirement = forms.CharField(required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["users"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.valid_value = lambda value: str(value).isdigit()  # type: ignore[method-assign]
