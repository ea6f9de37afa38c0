"""The learner's pages: completions go to edx-completion, quizzes to grading."""

from __future__ import annotations

import pytest
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from devhost.lms.models import CourseStaff, QuizSubmission

from .conftest import KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(learner) -> Client:
    client = Client()
    client.force_login(learner)
    return client


def _complete_url(block) -> str:
    return reverse("lms:complete", args=[KEY, str(block.usage_key)])


def test_pages_need_login(course):
    response = Client().get(reverse("lms:course", args=[KEY]))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_and_sign_in(learner):
    client = Client()
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "amelia", "password": "pw"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_home_lists_my_courses_with_progress(client_in, learner, blocks):
    BlockCompletion.objects.submit_completion(user=learner, block_key=blocks["Lesson 1"].usage_key,
                                              completion=1.0)
    page = client_in.get("/").content.decode()
    assert "Testing 101" in page
    assert "1 of 2 lessons completed" in page


def test_course_page_shows_lessons_and_quizzes(client_in):
    page = client_in.get(f"/courses/{KEY}/").content.decode()
    for title in ("Lesson 1", "Lesson 2", "Quiz A", "Quiz B"):
        assert title in page
    assert "Mark as complete" in page
    assert 'name="q0"' in page


def test_mark_lesson_complete_writes_block_completion(client_in, learner, blocks):
    lesson = blocks["Lesson 1"]
    response = client_in.post(_complete_url(lesson))
    assert response.status_code == 302
    completion = BlockCompletion.objects.get(user=learner, block_key=lesson.usage_key)
    assert completion.completion == 1.0
    assert completion.context_key == lesson.usage_key.course_key
    page = client_in.get(response["Location"]).content.decode()
    assert "Completed" in page


def test_completion_needs_post_and_csrf(learner, blocks):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.get(_complete_url(blocks["Lesson 1"])).status_code == 405
    assert client.post(_complete_url(blocks["Lesson 1"])).status_code == 403
    assert not BlockCompletion.objects.exists()


def test_completion_needs_enrollment(course, blocks):
    stranger = get_user_model().objects.create_user("stranger")
    client = Client()
    client.force_login(stranger)
    client.post(_complete_url(blocks["Lesson 1"]))
    assert not BlockCompletion.objects.exists()


def test_quiz_submission_scores_and_shows_it(client_in, learner, blocks):
    quiz = blocks["Quiz A"]
    url = reverse("lms:submit-quiz", args=[KEY, str(quiz.usage_key)])
    response = client_in.post(url, {"q0": "0", "q1": "0", "q2": "1", "q3": "nonsense"}, follow=True)
    assert QuizSubmission.objects.get(user=learner, block=quiz).score == 0.5
    assert "you scored 50%" in response.content.decode()


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/courses/not-a-key/"),
    ("get", "/courses/course-v1:Nobody+X+1/"),
    ("post", "/courses/not-a-key/enroll/"),
    ("post", f"/courses/{KEY}/lessons/garbage/complete/"),
    ("post", f"/courses/{KEY}/quizzes/block-v1:Northwind+T101+2026+type@problem+block@nope/submit/"),
])
def test_bad_keys_are_404(client_in, method, path):
    assert getattr(client_in, method)(path).status_code == 404


def test_a_lesson_is_not_a_quiz(client_in, blocks):
    url = reverse("lms:submit-quiz", args=[KEY, str(blocks["Lesson 1"].usage_key)])
    assert client_in.post(url).status_code == 404


def test_staff_link_only_for_course_staff(course, client_in, learner):
    staff_url = reverse("cert_plugin:staff-dashboard", args=[KEY])
    assert staff_url not in client_in.get(f"/courses/{KEY}/").content.decode()
    CourseStaff.objects.create(user=learner, course=course)
    assert staff_url in client_in.get(f"/courses/{KEY}/").content.decode()
