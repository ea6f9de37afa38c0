"""The demo LMS app: courses, lessons, quizzes, enrollments, grades."""

from django.apps import AppConfig


class DevhostLmsConfig(AppConfig):
    name = "devhost.lms"
    label = "devhost_lms"
    verbose_name = "Demo LMS"
    default_auto_field = "django.db.models.BigAutoField"
