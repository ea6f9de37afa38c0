"""Fill the demo LMS with Northwind's courses, learners and certificate offers.

Safe to run again: everything is created or updated in place. Learners'
progress is replayed through the same code a learner's clicks use
(edx-completion's ``submit_completion`` and ``grading.record_quiz``), so the
plugin issues certificates from the real signals; nothing here calls
``api.issue``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from completion.models import BlockCompletion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch, reverse
from opaque_keys.edx.keys import CourseKey, UsageKey

from devhost.lms.grading import record_quiz
from devhost.lms.models import (
    Block,
    Course,
    CourseStaff,
    Enrollment,
    PersistentCourseGrade,
    Profile,
    QuizSubmission,
)

PASSWORD = "demo-pass-123"
ASSETS = Path(__file__).resolve().parents[2] / "demo_assets"
NORTHWIND_TEMPLATE = "Northwind Institute (A4 landscape)"
ORG = "Northwind"
PY101 = "course-v1:Northwind+PY101+2026"
SAFE200 = "course-v1:Northwind+SAFE200+2026"


@dataclass(frozen=True)
class _Quiz:
    block_id: str
    title: str
    questions: tuple[tuple[str, tuple[str, ...], int], ...]  # (question, choices, right choice index)
    weight: float = 1.0


COURSES: list[dict[str, Any]] = [
    {
        "key": PY101,
        "title": "Python for Data Analysis",
        "hours": Decimal(12),
        "passing_grade": 0.6,
        "description": "From Python basics to cleaning, reshaping and plotting real data with pandas.",
        "lessons": [
            ("lesson1", "Welcome and setup", "Install Python and JupyterLab, and run your first notebook."),
            ("lesson2", "Python essentials", "Values, lists, dictionaries, loops and functions."),
            ("lesson3", "Working with pandas DataFrames", "Load CSV files, select rows and columns."),
            ("lesson4", "Cleaning and reshaping data", "Missing values, types, merges and pivots."),
            ("lesson5", "Visualising results", "Tell the story of your data with clear charts."),
        ],
        "quizzes": [
            _Quiz("quiz1", "Quiz 1: Python basics", (
                ("Which type is mutable?", ("tuple", "list", "str"), 1),
                ("What does len([1, 2, 3]) return?", ("2", "3", "6"), 1),
                ("Which keyword defines a function?", ("def", "func", "lambda:"), 0),
            )),
            _Quiz("quiz2", "Quiz 2: pandas", (
                ("Which pandas object is two-dimensional?", ("Series", "DataFrame", "Index"), 1),
                ("Which method reads a CSV file?", ("pd.read_csv", "pd.open", "pd.load_csv"), 0),
                ("Which method drops rows with missing values?", ("dropna", "fillna", "isna"), 0),
            )),
        ],
        "certificate": {"min_completion": 1.0, "required_quizzes": ("quiz1", "quiz2"), "min_quiz_score": 0.7,
                        "template": "northwind"},
    },
    {
        "key": SAFE200,
        "title": "Safety Officer Certification",
        "hours": Decimal(40),
        "passing_grade": 0.8,
        "description": "Workplace hazard control for safety officers. Certificates are approved by an "
                       "instructor and must be renewed every two years.",
        "lessons": [
            ("lesson1", "Hazard identification", "Walk-throughs, checklists and near-miss reports."),
            ("lesson2", "Risk assessment", "Likelihood, severity and the hierarchy of controls."),
            ("lesson3", "Incident reporting", "What to record, whom to notify and by when."),
        ],
        "quizzes": [
            _Quiz("final", "Final assessment", (
                ("What is the most effective control?", ("PPE", "Elimination", "Signage"), 1),
                ("A near miss should be…", ("ignored", "reported", "fixed silently"), 1),
                ("Risk combines likelihood and…", ("severity", "cost", "duration"), 0),
                ("Who may stop unsafe work?", ("Only managers", "Anyone", "Only officers"), 1),
            )),
        ],
        "certificate": {"min_completion": 1.0, "required_quizzes": ("final",), "min_quiz_score": 0.8,
                        "template": "portrait",
                        "requires_approval": True, "validity_days": 730},
    },
]

# username, full name, email, enrollments and what they have done:
# {course: (lessons completed, {quiz block_id: questions answered right})}
LEARNERS: list[tuple[str, str, str, dict[str, tuple[int, dict[str, int]]]]] = [
    ("learner_done", "Amelia Okafor", "amelia.okafor@example.com",
     {PY101: (5, {"quiz1": 3, "quiz2": 3}), SAFE200: (1, {})}),
    ("learner_progress", "Kenji Watanabe", "kenji.watanabe@example.com",
     {PY101: (3, {"quiz1": 1})}),
    ("learner_pending", "Layla Haddad", "layla.haddad@example.com",
     {SAFE200: (3, {"final": 4})}),
]


def _usage_key(course_key: str, block_type: str, block_id: str) -> UsageKey:
    return CourseKey.from_string(course_key).make_usage_key(block_type, block_id)


class Command(BaseCommand):
    help = "Create the demo courses, users and certificate offers (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true",
            help="Forget the demo learners' completions, quiz answers and grades, then replay them. "
                 "Certificates already issued are the plugin's records and are kept; for a blank "
                 "slate delete the database instead.",
        )

    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        try:
            from cert_plugin import api
        except ImportError as exc:  # the plugin is being developed alongside the demo
            raise CommandError(f"cert_plugin.api cannot be imported yet: {exc}") from exc

        courses = {spec["key"]: self._course(spec) for spec in COURSES}
        users = self._users()
        staff = users["staff"]
        for course in courses.values():
            CourseStaff.objects.get_or_create(user=staff, course=course)

        templates = {"northwind": self._northwind_template(api), "portrait": api.builtin_templates()[1]}
        for spec in COURSES:  # certificate offers first, so progress below triggers issuing
            rules = dict(spec["certificate"])
            rules["template"] = templates[rules["template"]]
            rules["required_quizzes"] = [str(_usage_key(spec["key"], "problem", q))
                                         for q in rules["required_quizzes"]]
            api.configure_course(spec["key"], **rules)  # hours come from the LMS course

        if reset:
            learners = [users[name] for name, *_ in LEARNERS]
            course_keys = [c.course_key for c in courses.values()]
            BlockCompletion.objects.filter(user__in=learners, context_key__in=course_keys).delete()
            QuizSubmission.objects.filter(user__in=learners, block__course__in=courses.values()).delete()
            PersistentCourseGrade.objects.filter(user__in=learners, course__in=courses.values()).delete()

        for username, _name, _email, plan in LEARNERS:
            for course_key, (lessons, quiz_results) in plan.items():
                self._play(users[username], courses[course_key], lessons, quiz_results)

        self._report(api, users, courses)

    def _northwind_template(self, api: Any) -> Any:
        """Northwind's branding (logo, colours, signatories), and its template, which inherits it."""
        if api.branding(ORG) is None:
            api.set_branding(
                ORG, display_name="Northwind Institute of Technology",
                primary_color="#1f4e79", accent_color="#b08d3c",
                assets={name: (ASSETS / file).read_bytes() for name, file in [
                    ("logo", "northwind-logo.svg"), ("dean_signature", "signature-dean.svg"),
                    ("director_signature", "signature-director.svg")]},
                signatories=[
                    {"name": "Dr. Ada Obi", "title": "Dean of Continuing Education",
                     "signature": "dean_signature"},
                    {"name": "Marcus Lindqvist", "title": "Programme Director",
                     "signature": "director_signature"},
                ])
        existing = [t for t in api.templates(org=ORG) if t.name == NORTHWIND_TEMPLATE]
        if existing:
            return existing[0]
        base = api.builtin_templates()[0].current_version
        return api.create_template(  # logo, signatories and colours come from the branding
            NORTHWIND_TEMPLATE, org=ORG, html=base.html, css=base.css, orientation=base.orientation,
            options={"honors": [[0.9, "With distinction"], [0.8, "With merit"]]})

    def _course(self, spec: dict[str, Any]) -> Course:
        key = CourseKey.from_string(spec["key"])
        course, _ = Course.objects.update_or_create(course_key=key, defaults={
            "title": spec["title"], "org": ORG, "hours": spec["hours"], "language": "en",
            "passing_grade": spec["passing_grade"], "description": spec["description"],
        })
        position = 0
        for block_id, title, body in spec["lessons"]:
            position += 1
            Block.objects.update_or_create(usage_key=key.make_usage_key("html", block_id), defaults={
                "course": course, "title": title, "kind": Block.LESSON, "position": position,
                "weight": 0.0, "body": body, "questions": [],
            })
        for quiz in spec["quizzes"]:
            position += 1
            questions = [{"q": q, "choices": list(choices), "answer": answer}
                         for q, choices, answer in quiz.questions]
            Block.objects.update_or_create(usage_key=key.make_usage_key("problem", quiz.block_id), defaults={
                "course": course, "title": quiz.title, "kind": Block.QUIZ, "position": position,
                "weight": quiz.weight, "body": "", "questions": questions,
            })
        return course

    def _users(self) -> dict[str, Any]:
        people = [(u, n, e) for u, n, e, _ in LEARNERS] + [
            ("staff", "Dana Staff", "dana.staff@example.com"),
            ("admin", "Site Admin", "admin@example.com"),
        ]
        users = {}
        for username, full_name, email in people:
            first, _, last = full_name.partition(" ")
            user, _ = get_user_model().objects.update_or_create(username=username, defaults={
                "email": email, "first_name": first, "last_name": last, "is_active": True,
                "is_staff": username == "admin", "is_superuser": username == "admin",
            })
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            Profile.objects.update_or_create(user=user, defaults={"full_name": full_name, "language": "en"})
            users[username] = user
        return users

    def _play(self, user: Any, course: Course, lessons: int, quiz_results: dict[str, int]) -> None:
        """Enroll, complete the first ``lessons`` lessons and answer quizzes, as the learner would."""
        Enrollment.objects.update_or_create(user=user, course=course, defaults={"is_active": True})
        for block in course.blocks.filter(kind=Block.LESSON).order_by("position")[:lessons]:
            BlockCompletion.objects.submit_completion(user=user, block_key=block.usage_key, completion=1.0)
        for block in course.blocks.filter(kind=Block.QUIZ):
            if block.usage_key.block_id not in quiz_results:
                continue
            right = quiz_results[block.usage_key.block_id]
            answers = [q["answer"] if i < right else (q["answer"] + 1) % len(q["choices"])
                       for i, q in enumerate(block.questions)]
            previous = QuizSubmission.objects.filter(user=user, block=block).first()
            if previous is not None and previous.answers == answers:
                continue  # already submitted these answers on an earlier run
            record_quiz(user, block, answers)

    def _report(self, api: Any, users: dict[str, Any], courses: dict[str, Course]) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS("Demo data ready."))
        out.write("\nCertification status:")
        for username, name, _email, plan in LEARNERS:
            for course_key in plan:
                progress = api.get_progress(users[username], course_key)
                out.write(f"  {username:<17} {name:<15} {courses[course_key].title:<30} {progress.status}")
        base = settings.CERT_PLUGIN.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        links = [(f"{base}/login/", "sign in"), (f"{base}/", "my courses")]
        links += _plugin_link(base, "cert_plugin:learner-dashboard", [], "my certificates")
        for key in courses:
            links += _plugin_link(base, "cert_plugin:staff-dashboard", [key],
                                  "certificates dashboard (staff)")
        for username, *_ in LEARNERS:
            for certificate in api.certificates_for(users[username]):
                label = f"{certificate.learner_name}'s certificate (PDF, sign in as {username})"
                links += _plugin_link(base, "cert_plugin:download-pdf", [certificate.formatted_code], label)
                links += _plugin_link(base, "cert_plugin:verify", [certificate.formatted_code],
                                      "its public verify page (anyone)")
        links += _plugin_link(base, "cert_plugin:template-list", [], "template editor (staff)")
        links.append((f"{base}/mailbox/", "mailbox: the emails the demo sent (staff see all)"))
        links.append((f"{base}/admin/", "Django admin (admin)"))
        width = max(len(url) for url, _ in links)
        out.write("\nOpen:")
        for url, label in links:
            out.write(f"  {url:<{width}}  {label}")
        out.write(f"\nLogins (password for all: {PASSWORD}):")
        for username, note in [
            ("learner_done", "Amelia Okafor: finished Python for Data Analysis, holds its certificate"),
            ("learner_progress", "Kenji Watanabe: 3 of 5 lessons, failed Quiz 1: in progress"),
            ("learner_pending", "Layla Haddad: finished Safety Officer Certification: pending approval"),
            ("staff", "Dana Staff: course staff of both courses"),
            ("admin", "superuser"),
        ]:
            out.write(f"  {username:<17} {note}")


def _plugin_link(base: str, name: str, args: list[str], label: str) -> list[tuple[str, str]]:
    """The plugin page's link, only once the plugin serves that page."""
    try:
        return [(base + reverse(name, args=args), label)]
    except NoReverseMatch:
        return []
