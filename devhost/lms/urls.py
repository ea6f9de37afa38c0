"""URLs of the demo LMS's learner pages (namespace ``lms``)."""

from django.urls import path

from devhost.lms import mailbox, mfe_harness, views

app_name = "lms"

urlpatterns = [
    path("", views.home, name="home"),
    path("mailbox/", mailbox.mailbox, name="mailbox"),
    path("mfe-harness/static/<str:name>", mfe_harness.static, name="mfe-harness-static"),
    path("mfe-harness/<str:mfe>/", mfe_harness.page, name="mfe-harness"),
    path("mfe-harness/<str:mfe>/<path:rest>", mfe_harness.page, name="mfe-harness"),
    path("profile/", views.profile, name="profile"),
    path("courses/<str:course_key>/", views.course_page, name="course"),
    path("courses/<str:course_key>/enroll/", views.enroll, name="enroll"),
    path("courses/<str:course_key>/lessons/<str:usage_key>/complete/", views.complete_lesson,
         name="complete"),
    path("courses/<str:course_key>/quizzes/<str:usage_key>/submit/", views.submit_quiz, name="submit-quiz"),
]
