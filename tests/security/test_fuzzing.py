"""Hypothesis fuzzing: whatever comes in, the plugin answers with its documented refusal.

* Verification codes (:mod:`cert_plugin.codes`): any text gives a canonical code or ``None``,
  never an exception; generated and formatted codes round-trip; a lookalike from another script
  is refused, never read as another code.
* Requirement configurations, through ``api.configure_course``, the staff settings form and the
  pure engine (:mod:`cert_plugin.requirements`): a ``RequirementsError`` (or a form error, a 400)
  naming the problem, never another exception, a 500 or a half-saved configuration.
* Event payloads (:mod:`cert_plugin.receivers`): nothing raises into the host's signal dispatch,
  and a payload never issues a certificate that the learner's real progress does not earn.
* The verify page, form and JSON with any path or query: never a 500.

Example counts are modest (the suite stays fast) and Hypothesis keeps no example database, so a
test run leaves the checkout as it found it.
"""

from __future__ import annotations

import string
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from opaque_keys.edx.keys import CourseKey

from cert_plugin import api, codes, receivers, requirements
from cert_plugin.forms import SettingsForm
from cert_plugin.models import AuditEvent, Certificate, CourseCertificateConfig
from tests.security import routes

# No example database (nothing written under .hypothesis/), no deadline (CI machines are noisy),
# and function-scoped fixtures (a course, a learner) shared by the examples of one test.
FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FUZZ_DB = settings(FUZZ, max_examples=60)  # examples that touch the database or render a page

anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.decimals() | st.text(max_size=30)
    | st.binary(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children,
                                                                      max_size=3),
    max_leaves=6,
)


# --------------------------------------------------------------------------- verification codes

real_codes = st.text(alphabet=codes.ALPHABET, min_size=16, max_size=16)
# Characters that look like a code's symbols but are not ASCII: Cyrillic and Greek capitals,
# full-width and mathematical digits, Roman numeral one, Cyrillic small o.
LOOKALIKES = (
    "\u0410\u0412\u0421\u0415\u041d\u041a\u041c\u041e\u0420\u0422\u0425\u0391\u0392\u0395\u0396\u0397"
    "\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7\uff10\uff11\uff12\uff13\uff14\uff15\uff16"
    "\uff17\uff18\uff19\U0001d7ce\U0001d7cf\u2160\u043e"
)


@FUZZ
@given(st.text(max_size=250))
@example("https://x/certs/verify/%00%00/")
@example("[::1/certs/verify/7K3M9XQ2VD4HJ8TB/")
@example("7K3M\u00ad9XQ2\u200bVD4H\ufeffJ8TB")
def test_any_text_normalizes_to_a_canonical_code_or_none(text):
    canonical = codes.normalize(text)
    if canonical is not None:
        assert len(canonical) == codes.CODE_LENGTH
        assert set(canonical) <= set(codes.ALPHABET)
        assert codes.normalize(canonical) == canonical
        assert codes.normalize(codes.format_code(text)) == canonical
    assert codes.is_well_formed(text) == (canonical is not None)
    assert isinstance(codes.format_code(text), str)


@FUZZ
@given(anything)
def test_what_is_not_text_is_refused(value):
    assume(not isinstance(value, str))
    assert codes.normalize(value) is None


@FUZZ
@given(real_codes, st.sampled_from(["", " ", "-", "\u2013", "\t"]), st.booleans())
def test_codes_round_trip_through_display_and_typing(code, separator, lower):
    shown = codes.format_code(code)
    typed = shown.replace("-", separator)
    typed = typed.lower() if lower else typed
    assert codes.normalize(typed) == code
    assert codes.normalize(f"https://lms.example.org/certs/verify/{shown}/?utm=x#top") == code


def test_generated_codes_round_trip():
    for _ in range(500):
        code = codes.generate()
        assert codes.normalize(code) == code
        assert codes.normalize(codes.format_code(code)) == code
        assert codes.normalize(codes.format_code(code).lower()) == code


@FUZZ
@given(real_codes, st.integers(min_value=0, max_value=15), st.sampled_from(LOOKALIKES))
def test_a_lookalike_from_another_script_is_refused_not_read_as_another_code(code, position, lookalike):
    typed = code[:position] + lookalike + code[position + 1:]
    assert codes.normalize(typed) is None


# --------------------------------------------------------------------------- requirement configs

shares = (st.floats() | st.integers(min_value=-10**30, max_value=10**30) | st.decimals()
          | st.text(max_size=8) | st.none() | st.booleans() | st.just(10**400))
requirement_items = st.lists(
    st.fixed_dictionaries({"key": st.text(max_size=120), "label": st.text(max_size=20)})
    | st.text(max_size=20) | st.integers() | st.none(), max_size=3)
config_arguments = st.fixed_dictionaries({}, optional={
    "min_grade": shares,
    "min_completion": shares,
    "min_quiz_score": shares,
    "required_quizzes": st.lists(st.text(max_size=40), max_size=2) | st.text(max_size=10) | anything,
    "requires_approval": anything,
    "additional_requirements": requirement_items | anything,
    "validity_days": (st.integers(min_value=-10**12, max_value=10**12) | st.floats() | st.text(max_size=6)
                      | st.none() | st.decimals()),
    "hours": (st.decimals() | st.floats() | st.integers(min_value=-10**9, max_value=10**9)
              | st.text(max_size=8) | st.none()),
    "template": st.none() | st.text(max_size=10),
})


def _stored(course_key: Any) -> tuple[Any, int]:
    config = CourseCertificateConfig.objects.filter(course_key=course_key).values().first()
    if config is not None:
        config.pop("modified_at", None)
    return config, AuditEvent.objects.filter(course_key=course_key).count()


@pytest.fixture
def course(lms):
    return lms.course()


@pytest.fixture
def staff_client(lms, course):
    client = Client()
    client.force_login(lms.staff(course))
    return client


@FUZZ_DB
@given(arguments=config_arguments)
@example(arguments={"validity_days": 10**12})
@example(arguments={"hours": "99999.999"})
@example(arguments={"hours": Decimal("NaN")})
@example(arguments={"min_grade": 10**400})
@example(arguments={"additional_requirements": [{"key": "k\x00", "label": "x"}]})
@example(arguments={"additional_requirements": [{"key": "k" * 101, "label": "x"}]})
@example(arguments={"template": "name\x00"})
def test_configure_course_saves_a_sound_config_or_refuses_it_whole(course, arguments):
    before = _stored(course.course_key)
    try:
        config = api.configure_course(course.course_key, backfill=False, **arguments)
    except api.CertPluginError as exc:
        refusal = str(exc)
    else:
        refusal = None
    event("refused" if refusal is not None else "saved")
    if refusal is not None:
        assert refusal  # it says what is wrong
        assert _stored(course.course_key) == before  # nothing written, not even an audit event
        return
    config.refresh_from_db()
    rules = requirements.Requirements(
        min_grade=config.min_grade, min_completion=config.min_completion,
        required_quizzes=config.required_quizzes, min_quiz_score=config.min_quiz_score,
        requires_approval=config.requires_approval,
        additional_requirements=[(item["key"], item["label"]) for item in config.additional_requirements])
    assert requirements.validate_requirements(rules) == []
    assert config.validity_days is None or 1 <= config.validity_days <= 36500
    assert config.hours is None or Decimal(0) < config.hours < Decimal(100000)
    assert api.requirements_summary(course.course_key) is not None  # the staff page can describe it


form_text = st.text(max_size=12) | st.sampled_from(["", "0", "100", "70.5", "-1", "1e9", "NaN", "Infinity",
                                                     "99999.999", "1" * 30, "12,5"])
settings_posts = st.fixed_dictionaries({}, optional={
    "enabled": st.sampled_from(["on", "", "1", "x"]),
    "template": form_text,
    "min_completion": form_text,
    "min_grade": form_text,
    "min_quiz_score": form_text,
    "required_quizzes": st.lists(form_text, max_size=2),
    "requires_approval": st.sampled_from(["on", ""]),
    "additional_requirements": st.text(max_size=200),
    "validity_days": form_text,
    "hours": form_text,
})


@FUZZ_DB
@given(post=settings_posts)
@example(post={"enabled": "on", "min_completion": "100", "min_quiz_score": "70", "validity_days": "9" * 12})
@example(post={"enabled": "on", "min_completion": "100", "min_quiz_score": "70", "hours": "99999.999"})
@example(post={"enabled": "on", "min_completion": "100", "min_quiz_score": "70",
               "additional_requirements": "x" * 150})
def test_the_staff_settings_form_answers_400_or_saves_never_500(staff_client, course, post):
    post = {"template": str(api.builtin_templates()[0].pk), **post}  # a real choice unless drawn
    before = _stored(course.course_key)

    response = staff_client.post(reverse("cert_plugin:staff-settings", args=[str(course.course_key)]), post)

    event(f"answered {response.status_code}")
    assert response.status_code in (303, 400)
    if response.status_code == 400:
        assert _stored(course.course_key) == before
        assert b'id="st-problem"' in response.content  # says what is wrong, and that nothing was saved


@FUZZ
@given(post=settings_posts)
def test_the_settings_form_never_raises(post):
    form = SettingsForm(post, templates=[(1, "Default")],
                        quizzes=[("block-v1:a+b+c+type@problem+block@q", "Q")])
    if form.is_valid():
        form.api_arguments()


@FUZZ
@given(min_grade=shares, min_completion=shares, min_quiz_score=shares,
       quizzes=st.lists(st.text(max_size=10), max_size=3) | anything,
       extra=st.lists(st.tuples(st.text(max_size=5), st.text(max_size=5)), max_size=3) | anything,
       grade=st.floats(min_value=-2, max_value=2), passed=st.booleans(),
       scores=st.dictionaries(st.text(max_size=5), st.floats(min_value=-2, max_value=2), max_size=3),
       completed=st.frozensets(st.sampled_from(["l1", "l2", "l3"])),
       met=st.frozensets(st.text(max_size=5), max_size=3),
       approval=st.sampled_from([None, requirements.APPROVED, requirements.REJECTED]))
def test_the_engine_refuses_bad_requirements_with_value_errors_and_decides_consistently(
        min_grade, min_completion, min_quiz_score, quizzes, extra, grade, passed, scores, completed, met,
        approval):
    try:
        rules = requirements.Requirements(min_grade=min_grade, min_completion=min_completion,
                                          required_quizzes=quizzes, min_quiz_score=min_quiz_score,
                                          additional_requirements=extra)
    except (ValueError, TypeError):
        return  # the documented refusals: a value that is no number, a lone string, a bad pair
    snapshot = requirements.Snapshot(lessons=(("l1", "Lesson 1"), ("l2", "Lesson 2"), ("l3", "Lesson 3")),
                                     completed=completed, grade_percent=grade, grade_passed=passed,
                                     scores=scores, block_titles={}, met_requirements=met, approval=approval)
    problems = requirements.validate_requirements(rules)
    if problems:
        with pytest.raises(ValueError, match="Invalid certificate requirements"):
            requirements.evaluate(rules, snapshot)
        return
    outcome = requirements.evaluate(rules, snapshot)
    assert outcome.eligible == all(item.met for item in outcome.items)
    assert not (outcome.eligible and outcome.awaiting_approval)


# --------------------------------------------------------------------------- event payloads

keys = st.sampled_from([None, "course-v1:Northwind+C1+2026", 42]) | st.builds(
    CourseKey.from_string, st.just("course-v1:Ghost+X+2026"))


def _payload_objects(draw_user_id: Any, draw_key: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        anything,
        st.builds(SimpleNamespace, user=st.none() | st.builds(SimpleNamespace, id=draw_user_id) | anything,
                  course=st.none() | st.builds(SimpleNamespace, course_key=draw_key) | anything,
                  is_passing=anything),
        st.builds(SimpleNamespace, user_id=draw_user_id,
                  course=st.builds(SimpleNamespace, course_key=draw_key), percent_grade=anything),
    )


@pytest.fixture
def idle_learner(lms):
    """A learner of a course that offers a certificate, who has done nothing toward it."""
    course = lms.course()
    api.configure_course(course.course_key)
    learner = lms.learner(course)
    return course, learner


@FUZZ_DB
@given(data=st.data())
def test_event_payloads_never_raise_into_the_host_and_never_issue_unearned(idle_learner, data):
    course, learner = idle_learner
    user_ids = st.sampled_from([learner.pk, str(learner.pk), True, -1, 0, 10**20]) | anything
    course_keys = st.sampled_from([course.course_key, str(course.course_key)]) | keys | anything
    payload = data.draw(_payload_objects(user_ids, course_keys))
    completion = data.draw(st.builds(SimpleNamespace, user_id=user_ids, context_key=course_keys,
                                     completion=st.floats() | anything) | anything)

    receivers.on_course_passing_status_updated(sender=None, course_passing_status=payload)
    receivers.on_persistent_grade_summary_changed(sender=None, grade=payload)
    receivers.on_block_completion_saved(sender=None, instance=completion, created=True)
    receivers.on_course_passing_status_updated(payload, payload, signal=payload)

    assert connection.in_atomic_block is False  # nothing was left half-open in the host's connection
    assert not Certificate.objects.filter(user=learner).exists()


def test_a_receiver_that_fails_logs_and_lets_the_host_go_on(idle_learner, monkeypatch, caplog):
    course, learner = idle_learner

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("broker exploded")

    monkeypatch.setattr(receivers.jobs, "enqueue", broken)
    receivers.on_block_completion_saved(instance=SimpleNamespace(user_id=learner.pk, completion=1.0,
                                                                 context_key=course.course_key))
    assert "on_block_completion_saved failed" in caplog.text
    assert "broker exploded" in caplog.text


# --------------------------------------------------------------------------- verify endpoints

paths = st.text(max_size=80) | st.text(alphabet=string.printable + "\x00\u202e\ufeff", max_size=80)


@pytest.fixture
def fuzz_client(settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "VERIFY_RATE": "100000/m"}
    return Client()


@FUZZ_DB
@given(text=paths)
@example(text="\x00")
@example(text="..%2F..%2Fetc%2Fpasswd")
@example(text="7K3M-9XQ2-VD4H-J8TB" + "A" * 5000)
def test_the_verify_endpoints_never_answer_500(db, fuzz_client, text):
    segment = quote(text, safe="")
    statuses = [
        fuzz_client.get(f"/certs/verify/{segment}/").status_code,
        fuzz_client.get(reverse("cert_plugin:verify-form"), {"code": text}).status_code,
        fuzz_client.get(f"/certs/api/v1/verify/{segment}/").status_code,
        fuzz_client.get(f"/certs/{segment}/").status_code,
        fuzz_client.get(f"/certs/u/{segment}/").status_code,
    ]
    assert all(status in (200, 301, 302, 404, 429) for status in statuses), statuses


def _text_segments() -> list[tuple[str, str, str]]:
    """(route name, route, segment) for every free-text URL segment of the plugin (from the URLconf)."""
    return [(name, route, segment) for name, route in routes.plugin_routes()
            for converter, segment in routes.parameters(route) if converter == "str"]


@pytest.fixture
def site_staff_client(fuzz_client, django_user_model):
    user = django_user_model.objects.create_user("operator", password="x", is_staff=True)
    fuzz_client.force_login(user)
    return fuzz_client


def test_every_free_text_segment_is_fuzzed():
    segments = {(name, segment) for name, _, segment in _text_segments()}
    assert {("public-profile", "username"), ("branding", "org"), ("template-asset", "name"),
            ("staff-dashboard", "course_key"), ("api-learner-requirement", "requirement")} <= segments


@FUZZ_DB
@given(text=paths.filter(lambda text: text.strip(".")), data=st.data())
@example(text="\x00", data=None)
def test_any_text_in_any_url_segment_never_answers_500(site_staff_client, text, data):
    """Site staff pass every permission check, so the text reaches every lookup behind it."""
    chosen = _text_segments() if data is None else [data.draw(st.sampled_from(_text_segments()))]
    for name, route, segment in chosen:
        path = routes.path(route, **{segment: text})
        for method in ("get", "post"):
            status = getattr(site_staff_client, method)(path).status_code
            assert status < 500, (name, method, status)
