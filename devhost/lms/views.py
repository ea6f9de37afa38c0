"""The learner's pages of the demo LMS: my courses, a course, lesson and quiz actions, edit profile.

Completions go through edx-completion and quiz scores through
:mod:`devhost.lms.grading`, like a learner's clicks in Open edX; the plugin
hears about them from signals only.
"""

from __future__ import annotations

from typing import Any

from completion.models import BlockCompletion
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey

from cert_plugin import api
from devhost.lms.grading import compute_grade, record_quiz
from devhost.lms.host import DevHost
from devhost.lms.models import Block, Course, Enrollment, Profile, QuizSubmission


def _course_or_404(course_key: str) -> Course:
    try:
        key = CourseKey.from_string(course_key)
    except InvalidKeyError:
        raise Http404("No such course.") from None
    return get_object_or_404(Course, course_key=key)


def _block_or_404(course: Course, usage_key: str, kind: str) -> Block:
    try:
        key = UsageKey.from_string(usage_key)
    except InvalidKeyError:
        raise Http404("No such block.") from None
    return get_object_or_404(Block, course=course, usage_key=key, kind=kind)


def _is_enrolled(user: Any, course: Course) -> bool:
    return Enrollment.objects.filter(user=user, course=course, is_active=True).exists()


def _completed(user: Any, course: Course) -> set[Any]:
    return DevHost().completed_blocks(user, course.course_key)


def _course_url(course: Course, anchor: str = "") -> str:
    url = reverse("lms:course", args=[str(course.course_key)])
    return f"{url}#{anchor}" if anchor else url


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My courses, with lesson progress and current grade, and the courses the user teaches."""
    rows = []
    enrollments = Enrollment.objects.filter(user=request.user, is_active=True).select_related("course")
    for enrollment in enrollments:
        course = enrollment.course
        lessons = [b for b in course.blocks.all() if not b.is_quiz]
        done = _completed(request.user, course)
        completed = sum(1 for b in lessons if b.usage_key in done)
        rows.append({
            "course": course,
            "lessons": len(lessons),
            "completed": completed,
            "percent": round(100 * completed / len(lessons)) if lessons else 0,
            "grade": compute_grade(request.user, course),
        })
    # Course staff (site staff: every course) reach each course's certificates dashboard from here.
    teaching = DevHost().staff_courses(request.user)
    return render(request, "devhost_lms/home.html", {"rows": rows, "teaching": teaching})


@login_required
def course_page(request: HttpRequest, course_key: str) -> HttpResponse:
    """The course outline: lessons to complete and quizzes to take."""
    course = _course_or_404(course_key)
    enrolled = _is_enrolled(request.user, course)
    is_staff = DevHost().is_course_staff(request.user, course.course_key)
    done = _completed(request.user, course)
    own = QuizSubmission.objects.filter(user=request.user, block__course=course)
    submissions = {s.block_id: s for s in own}
    lessons, quizzes = [], []
    for block in course.blocks.all():
        if block.is_quiz:
            submission = submissions.get(block.pk)
            chosen = submission.answers if submission else []
            questions = [
                {"index": i, "text": q["q"], "choices": list(enumerate(q["choices"])),
                 "chosen": chosen[i] if i < len(chosen) else None}
                for i, q in enumerate(block.questions or [])
            ]
            quizzes.append({"block": block, "questions": questions, "submission": submission})
        else:
            lessons.append({"block": block, "done": block.usage_key in done})
    return render(request, "devhost_lms/course.html", {
        "course": course,
        "course_key": str(course.course_key),
        "enrolled": enrolled,
        "is_course_staff": is_staff,
        "lessons": lessons,
        "completed": sum(1 for lesson in lessons if lesson["done"]),
        "quizzes": quizzes,
        "grade": compute_grade(request.user, course),
        "certification": api.get_progress(request.user, course.course_key) if enrolled else None,
    })


@login_required
@require_POST
def enroll(request: HttpRequest, course_key: str) -> HttpResponse:
    course = _course_or_404(course_key)
    Enrollment.objects.update_or_create(user=request.user, course=course, defaults={"is_active": True})
    messages.success(request, f"You are enrolled in {course.title}.")
    return HttpResponseRedirect(_course_url(course))


@login_required
@require_POST
def complete_lesson(request: HttpRequest, course_key: str, usage_key: str) -> HttpResponse:
    """Mark a lesson complete through edx-completion (its post_save is what the plugin hears)."""
    course = _course_or_404(course_key)
    block = _block_or_404(course, usage_key, Block.LESSON)
    if not _is_enrolled(request.user, course):
        messages.error(request, "Enroll in the course to record your progress.")
        return HttpResponseRedirect(_course_url(course))
    BlockCompletion.objects.submit_completion(user=request.user, block_key=block.usage_key, completion=1.0)
    messages.success(request, f"“{block.title}” marked as complete.")
    return HttpResponseRedirect(_course_url(course, f"block-{block.pk}"))


@login_required
@require_POST
def submit_quiz(request: HttpRequest, course_key: str, usage_key: str) -> HttpResponse:
    """Score the learner's answers; grading sends the grade events like edx-platform."""
    course = _course_or_404(course_key)
    block = _block_or_404(course, usage_key, Block.QUIZ)
    if not _is_enrolled(request.user, course):
        messages.error(request, "Enroll in the course to take its quizzes.")
        return HttpResponseRedirect(_course_url(course))
    answers: list[int | None] = []
    for i, question in enumerate(block.questions or []):
        raw = request.POST.get(f"q{i}", "")
        answers.append(int(raw) if raw.isdigit() and int(raw) < len(question["choices"]) else None)
    submission = record_quiz(request.user, block, answers)
    messages.success(request, f"{block.title}: you scored {submission.score:.0%}.")
    return HttpResponseRedirect(_course_url(course, f"block-{block.pk}"))


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Edit profile: the full name certificates print (edx-platform: the account settings' "Full name")."""
    record, _created = Profile.objects.get_or_create(user=request.user)
    error = ""
    if request.method == "POST":
        name = " ".join(request.POST.get("full_name", "").split())
        if not name:
            error = "Enter your full name as it should appear on certificates."
        elif len(name) > Profile._meta.get_field("full_name").max_length:
            error = "That name is too long (at most 255 characters)."
        else:
            record.full_name = name
            record.save(update_fields=["full_name"])
            messages.success(request, "Profile saved. Certificates issued from now on print this name.")
            return HttpResponseRedirect(reverse("lms:profile"))
    value = request.POST.get("full_name", "") if error else record.full_name
    return render(request, "devhost_lms/profile.html", {"full_name": value, "error": error},
                  status=400 if error else 200)
