"""Admin of the demo LMS: enough to poke at courses, roles and learner data."""

from django.contrib import admin

from devhost.lms.models import (
    Block,
    Course,
    CourseStaff,
    Enrollment,
    PersistentCourseGrade,
    Profile,
    QuizSubmission,
)


class BlockInline(admin.TabularInline):
    model = Block
    extra = 0
    fields = ("position", "kind", "title", "usage_key", "weight")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "course_key", "org", "hours", "passing_grade")
    inlines = (BlockInline,)


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "course", "position", "weight")
    list_filter = ("kind", "course")


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "is_active", "created")
    list_filter = ("course", "is_active")


@admin.register(CourseStaff)
class CourseStaffAdmin(admin.ModelAdmin):
    list_display = ("user", "course")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "full_name", "language")
    search_fields = ("user__username", "full_name")


@admin.register(QuizSubmission)
class QuizSubmissionAdmin(admin.ModelAdmin):
    list_display = ("user", "block", "score", "submitted_at")
    list_filter = ("block__course",)


@admin.register(PersistentCourseGrade)
class PersistentCourseGradeAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "percent_grade", "letter_grade", "passed_timestamp", "modified")
    list_filter = ("course",)
