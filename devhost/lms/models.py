"""The demo LMS's records: a tiny stand-in for edx-platform's courses,
enrollments, profiles, problem scores and persistent grades.

Lesson completions are not here: they live in edx-completion's
``BlockCompletion``, exactly as in Open edX, because that is what the plugin
listens to.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField, UsageKeyField

_UNIT = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class Course(models.Model):
    """A course run (edx-platform: CourseOverview)."""

    course_key = CourseKeyField(max_length=255, unique=True)  # course-v1:Org+Number+Run
    title = models.CharField(max_length=255)  # display name
    org = models.CharField(max_length=255)  # the institution offering it
    hours = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)  # workload
    language = models.CharField(max_length=16, default="en")  # content language
    passing_grade = models.FloatField(default=0.6, validators=_UNIT)  # grade cutoff, 0..1
    description = models.TextField(blank=True, default="")  # shown on the course page
    modified = models.DateTimeField(auto_now=True)  # "course_edited_timestamp" in grade events

    class Meta:
        ordering = ("title",)

    def __str__(self) -> str:
        return f"{self.title} ({self.course_key})"


class Block(models.Model):
    """A leaf of the course outline: a lesson (completable) or a quiz (graded)."""

    LESSON, QUIZ = "lesson", "quiz"
    KINDS = ((LESSON, "Lesson"), (QUIZ, "Quiz"))

    course = models.ForeignKey(Course, related_name="blocks", on_delete=models.CASCADE)
    usage_key = UsageKeyField(max_length=255, unique=True)  # block-v1:...+type@html+block@lesson1
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=KINDS)
    position = models.PositiveIntegerField(default=0)  # order in the outline
    weight = models.FloatField(default=1.0)  # a quiz's share of the course grade (relative)
    body = models.TextField(blank=True, default="")  # a lesson's text
    questions = models.JSONField(default=list, blank=True)  # quiz: [{"q", "choices": [...], "answer": i}]

    class Meta:
        ordering = ("course", "position", "pk")

    def __str__(self) -> str:
        return self.title

    @property
    def is_quiz(self) -> bool:
        return self.kind == self.QUIZ


class Enrollment(models.Model):
    """A learner's enrollment in a course (edx-platform: CourseEnrollment)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="lms_enrollments",
                             on_delete=models.CASCADE)
    course = models.ForeignKey(Course, related_name="enrollments", on_delete=models.CASCADE)
    is_active = models.BooleanField(default=True)  # unenrolled learners keep an inactive row
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("user", "course"), name="lms_enrollment_once"),)

    def __str__(self) -> str:
        return f"{self.user} in {self.course.course_key}"


class Profile(models.Model):
    """The learner's profile (edx-platform: UserProfile): the name certificates print."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, related_name="lms_profile",
                                on_delete=models.CASCADE)
    full_name = models.CharField(max_length=255, blank=True, default="")  # as the learner wants it printed
    language = models.CharField(max_length=16, default="en")  # preferred language

    def __str__(self) -> str:
        return self.full_name or str(self.user)


class QuizSubmission(models.Model):
    """A learner's latest attempt at a quiz (edx-platform: StudentModule score)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="lms_quiz_submissions",
                             on_delete=models.CASCADE)
    block = models.ForeignKey(Block, related_name="submissions", on_delete=models.CASCADE)
    score = models.FloatField(validators=_UNIT)  # share of correct answers, 0..1
    answers = models.JSONField(default=list, blank=True)  # chosen choice index per question (or null)
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("user", "block"), name="lms_quiz_submission_once"),)

    def __str__(self) -> str:
        return f"{self.user} / {self.block}: {self.score:.0%}"


class CourseStaff(models.Model):
    """The course-staff role (edx-platform: CourseStaffRole)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="lms_staff_roles",
                             on_delete=models.CASCADE)
    course = models.ForeignKey(Course, related_name="staff", on_delete=models.CASCADE)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("user", "course"), name="lms_course_staff_once"),)
        verbose_name_plural = "course staff"

    def __str__(self) -> str:
        return f"{self.user} staff of {self.course.course_key}"


class PersistentCourseGrade(models.Model):
    """The learner's stored course grade (edx-platform: grades.PersistentCourseGrade).

    Saving it is what fires PERSISTENT_GRADE_SUMMARY_CHANGED, as in edx-platform.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="lms_grades", on_delete=models.CASCADE)
    course = models.ForeignKey(Course, related_name="grades", on_delete=models.CASCADE)
    percent_grade = models.FloatField(validators=_UNIT)  # 0..1
    letter_grade = models.CharField(max_length=32, blank=True, default="")  # "Pass" or ""
    passed_timestamp = models.DateTimeField(null=True, blank=True)  # first time passed; never cleared
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("user", "course"), name="lms_grade_once"),)

    def __str__(self) -> str:
        return f"{self.user} / {self.course.course_key}: {self.percent_grade:.0%}"


class MailboxMessage(models.Model):
    """An email the demo "sent": kept here instead of going to a mail server (devhost.lms.mail).

    The demo has no mail server, so its email backend stores each message; the
    Mailbox page lists them, with their links, so a demo user sees what
    learners are told. Not part of the plugin.
    """

    to = models.TextField()  # the recipients, comma-separated
    from_email = models.CharField(max_length=255, blank=True, default="")
    subject = models.CharField(max_length=500)
    body = models.TextField()  # the plain-text part
    html = models.TextField(blank=True, default="")  # the HTML alternative, if any
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-sent_at", "-id")

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
