"""Issue 13, part c: odd input never gives a 500, names print as written, nothing leaks.

Names with control or bidirectional characters and names too long for the page or the column
are captured cleaned (cert_plugin.text), so the learner still gets a certificate; the REST API
answers 400 for pathological JSON; staff input with NUL is refused by the forms with a message.
Runs on SQLite, PostgreSQL and MariaDB (CERT_PLUGIN_DB).
"""

from __future__ import annotations

import pytest

from cert_plugin import api, text
from cert_plugin.models import Certificate

pytestmark = pytest.mark.usefixtures("no_render_task")


def _earn(lms, name):
    course = lms.course()
    learner = lms.learner(course, name=name)
    staff = lms.staff(course)
    return course, learner, staff


def test_a_long_name_is_truncated_with_an_ellipsis_not_lost(lms):
    name = ("Maria " * 42).strip()  # 251 characters: the profile holds it, a certificate does not
    course, learner, staff = _earn(lms, name)
    certificate = api.issue(learner, course.course_key, by=staff)
    certificate.refresh_from_db()
    assert len(certificate.learner_name) <= text.NAME_MAX_LENGTH
    assert certificate.learner_name.endswith("\u2026")
    assert certificate.learner_name.startswith("Maria Maria")
    assert not certificate.learner_name[:-1].endswith(" ")


def test_bidi_and_control_characters_are_not_captured(lms):
    course, learner, staff = _earn(lms, "Amelia \u202egnp.exe\u202c\x07 Okafor")
    certificate = api.issue(learner, course.course_key, by=staff)
    assert Certificate.objects.get(pk=certificate.pk).learner_name == "Amelia gnp.exe Okafor"


@pytest.mark.parametrize(("raw", "printed"), [
    ("  Ana\tMaria\n ", "Ana Maria"),
    ("Jo\x00sé", "José"),
    ("\u2067محمد\u2069 Ali", "محمد Ali"),
    ("x" * 300, "x" * (text.NAME_MAX_LENGTH - 1) + "\u2026"),
])
def test_clean_name(raw, printed):
    assert text.clean_name(raw) == printed


def test_a_reissue_captures_the_renamed_profile_as_issuing_does(lms):
    course, learner, staff = _earn(lms, "Amelia Okafor")
    certificate = api.issue(learner, course.course_key, by=staff)
    learner.lms_profile.full_name = "Amelia \u202egnp.exe\u202c Okafor-" + "Nwosu " * 30  # 210 characters
    learner.lms_profile.save()

    reissued = Certificate.objects.get(pk=api.reissue(certificate, by=staff).pk)

    assert reissued.learner_name.startswith("Amelia gnp.exe Okafor-Nwosu Nwosu")
    assert reissued.learner_name.endswith("\u2026")
    assert len(reissued.learner_name) <= text.NAME_MAX_LENGTH


def test_a_profile_name_that_differs_only_by_controls_is_not_a_name_change(lms):
    course, learner, staff = _earn(lms, "Amelia Okafor")
    certificate = api.issue(learner, course.course_key, by=staff)
    learner.lms_profile.full_name = "Amelia\u200f  Okafor\x07"  # prints exactly as the certificate does
    learner.lms_profile.save()

    with pytest.raises(api.CertPluginError, match="already matches your profile"):
        api.request_reissue(certificate, by=learner)
    counts = api.reissue_all(course.course_key, by=staff)

    assert counts["unchanged"] == 1
    assert counts["reissued"] == 0
    assert Certificate.objects.get(pk=certificate.pk).revision == 1


def test_the_pdf_title_shows_a_stored_bidi_name_without_its_controls(lms):
    import io

    import pypdf

    course, learner, staff = _earn(lms, "Amelia Okafor")
    certificate = api.issue(learner, course.course_key, by=staff)
    Certificate.objects.filter(pk=certificate.pk).update(learner_name=BIDI_NAME)
    certificate.refresh_from_db()

    title = pypdf.PdfReader(io.BytesIO(api.render_pdf(certificate))).metadata.title

    assert "Amelia gnp.exe Okafor" in title
    assert "\u202e" not in title


# --------------------------------------------------------------------------- REST API


def _api_client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client


def _post_raw(client, url, body):
    return client.generic("POST", url, body, content_type="application/json")


def test_deeply_nested_json_is_a_400_on_every_post_endpoint(lms):
    from django.urls import reverse

    course, learner, staff = _earn(lms, "Amelia Okafor")
    code = api.issue(learner, course.course_key, by=staff).formatted_code
    key = str(course.course_key)
    urls = [
        (learner, reverse("cert_plugin:api-my-certificate-publish", args=[code])),
        (staff, reverse("cert_plugin:api-learner-approve", args=[key, learner.pk])),
        (staff, reverse("cert_plugin:api-learner-reject", args=[key, learner.pk])),
        (staff, reverse("cert_plugin:api-certificate-revoke", args=[code])),
        (staff, reverse("cert_plugin:api-certificate-reissue", args=[code])),
        (staff, reverse("cert_plugin:api-course-jobs", args=[key])),
    ]
    nested = '{"reason": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for user, url in urls:
        response = _post_raw(_api_client(user), url, nested)
        assert response.status_code == 400, (url, response.status_code)
        assert "nested" in response.json()["error"]


def test_nul_in_a_json_body_is_a_400_not_a_database_error(lms):
    from django.urls import reverse

    course, learner, staff = _earn(lms, "Amelia Okafor")
    code = api.issue(learner, course.course_key, by=staff).formatted_code
    url = reverse("cert_plugin:api-certificate-revoke", args=[code])
    response = _post_raw(_api_client(staff), url, '{"reason": "Plagiarism\\u0000"}')
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]
    assert Certificate.objects.get(verification_code=code.replace("-", "")).state != Certificate.REVOKED


def test_another_courses_job_answers_like_a_missing_one(lms):
    from django.urls import reverse

    course, _learner, _staff = _earn(lms, "Amelia Okafor")
    other_course = lms.course(title="Safety", org="Contoso")
    other_staff = lms.staff(other_course)
    api.configure_course(course.course_key, backfill=False)
    job = api.start_job("backfill", course.course_key)
    client = _api_client(other_staff)
    theirs = client.get(reverse("cert_plugin:api-job", args=[job.pk]))
    missing = client.get(reverse("cert_plugin:api-job", args=[job.pk + 1000]))
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
    assert theirs.status_code == 404


def test_progress_answers_only_learners_and_staff_of_the_course(lms):
    from django.urls import reverse

    course, learner, staff = _earn(lms, "Amelia Okafor")
    outsider = lms.learner(lms.course(title="Other", org="Contoso"))
    known = reverse("cert_plugin:api-course-progress", args=[str(course.course_key)])
    unknown = reverse("cert_plugin:api-course-progress", args=["course-v1:Nobody+X1+2026"])
    assert _api_client(learner).get(known).status_code == 200
    assert _api_client(staff).get(known).status_code == 200
    theirs, nothing = _api_client(outsider).get(known), _api_client(outsider).get(unknown)
    assert (theirs.status_code, theirs.json()) == (nothing.status_code, nothing.json())
    assert theirs.status_code == 404


# --------------------------------------------------------------------------- staff dashboard


def test_nul_in_the_dashboard_search_is_ignored_not_a_500(lms):
    from django.test import Client
    from django.urls import reverse

    course, learner, staff = _earn(lms, "Amelia Okafor")
    api.issue(learner, course.course_key, by=staff)
    client = Client()
    client.force_login(staff)
    url = reverse("cert_plugin:staff-dashboard", args=[course.course_key])
    response = client.get(url, {"q": "Ame\x00lia"})
    assert response.status_code == 200
    assert "Amelia Okafor" in response.content.decode()
    assert api.course_learners(course.course_key, search="Oka\x00for").total == 1


def test_the_csv_export_shows_names_without_bidi_controls(lms):
    import csv

    from django.test import Client
    from django.urls import reverse

    course, learner, staff = _earn(lms, "Amelia Okafor")
    certificate = api.issue(learner, course.course_key, by=staff)
    # a certificate captured before names were cleaned
    Certificate.objects.filter(pk=certificate.pk).update(learner_name="Amelia \u202egnp.exe\u202c Okafor")
    client = Client()
    client.force_login(staff)
    response = client.get(reverse("cert_plugin:staff-export", args=[course.course_key]))
    rows = list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))
    assert rows[1][rows[0].index("name_on_certificate")] == "Amelia gnp.exe Okafor"


# --------------------------------------------------------------------------- names leaving the page

BIDI_NAME = "Amelia \u202egnp.exe\u202c Okafor"  # as a certificate captured before issue 13 holds it


def test_the_pdf_prints_a_stored_bidi_name_without_its_controls(lms):
    import io

    import pypdf

    course, learner, staff = _earn(lms, "Amelia Okafor")
    certificate = api.issue(learner, course.course_key, by=staff)
    Certificate.objects.filter(pk=certificate.pk).update(learner_name=BIDI_NAME)
    certificate.refresh_from_db()
    pdf = pypdf.PdfReader(io.BytesIO(api.render_pdf(certificate)))
    printed = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Amelia gnp.exe Okafor" in printed
    assert "\u202e" not in printed


def test_emails_carry_a_stored_bidi_name_without_its_controls(lms, mailoutbox):
    course, learner, staff = _earn(lms, "Amelia Okafor")
    certificate = api.issue(learner, course.course_key, by=staff)
    learner.lms_profile.full_name = BIDI_NAME  # the learner renames themselves; staff reissue
    learner.lms_profile.save()
    mailoutbox.clear()
    api.reissue(certificate, by=staff)
    [email] = mailoutbox
    assert "Dear Amelia gnp.exe Okafor" in email.body
    assert "\u202e" not in email.body + email.subject + email.alternatives[0][0]


# --------------------------------------------------------------------------- existence leaks


def _visible_text(response) -> str:
    import lxml.html

    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


def test_another_organizations_template_answers_like_a_missing_one(lms):
    from django.test import Client
    from django.urls import reverse

    course = lms.course(org="Northwind")
    api.configure_course(course.course_key, backfill=False)
    theirs = api.create_template("Northwind private", html="<h1>{{ learner_name }}</h1>", org="Northwind")
    contoso = lms.course(org="Contoso")
    api.configure_course(contoso.course_key, backfill=False)
    client = Client()
    client.force_login(lms.staff(contoso))
    missing_id = theirs.pk + 1000

    for name, extra in (("template-edit", ()), ("template-attach", ()), ("template-asset", ("logo.png",)),
                        ("template-version-preview", (1,)), ("template-restore", (1,))):
        method = client.post if name in ("template-restore", "template-attach") else client.get
        existing = method(reverse(f"cert_plugin:{name}", args=[theirs.pk, *extra]))
        unknown = method(reverse(f"cert_plugin:{name}", args=[missing_id, *extra]))
        assert existing.status_code == unknown.status_code == 403, name
        assert _visible_text(existing) == _visible_text(unknown), name


def test_another_organizations_branding_answers_like_a_missing_one(lms):
    from django.test import Client
    from django.urls import reverse

    for org in ("Acme", "Fabrikam"):
        course = lms.course(org=org)
        api.configure_course(course.course_key, backfill=False)
    api.set_branding("Acme", display_name="Acme Polytechnic")
    contoso = lms.course(org="Contoso")
    api.configure_course(contoso.course_key, backfill=False)
    client = Client()
    client.force_login(lms.staff(contoso))

    existing = client.get(reverse("cert_plugin:branding", args=["Acme"]))
    unknown = client.get(reverse("cert_plugin:branding", args=["Nowhere"]))

    assert existing.status_code == unknown.status_code == 403
    assert _visible_text(existing).replace("Acme", "ORG") == _visible_text(unknown).replace("Nowhere", "ORG")
    assert "Acme Polytechnic" not in existing.content.decode()


def test_the_public_profile_answers_an_unknown_and_a_private_user_alike(lms, django_assert_num_queries):
    from django.test import Client
    from django.urls import reverse

    course, learner, staff = _earn(lms, "Amelia Okafor")
    api.issue(learner, course.course_key, by=staff)  # not published
    client = Client()
    answers = []
    for username in (learner.username, "nobody-by-this-name"):
        with django_assert_num_queries(1):
            response = client.get(reverse("cert_plugin:public-profile", args=[username]))
        answers.append((response.status_code, response.content))
    assert answers[0] == answers[1]
    assert answers[0][0] == 404


def test_titles_and_meta_tags_show_a_stored_bidi_name_without_its_controls(lms):
    import lxml.html
    from django.test import Client
    from django.urls import reverse

    course, learner, staff = _earn(lms, "Amelia Okafor")
    certificate = api.issue(learner, course.course_key, by=staff)
    Certificate.objects.filter(pk=certificate.pk).update(learner_name=BIDI_NAME, is_public=True)
    client = Client()
    client.force_login(learner)
    for name in ("verify", "certificate"):
        url = reverse(f"cert_plugin:{name}", args=[certificate.formatted_code])
        page = lxml.html.fromstring(client.get(url).content.decode())
        seen = [page.findtext(".//title"), *page.xpath("//meta/@content"), *page.xpath("//@data-share-text")]
        assert any("Amelia gnp.exe Okafor" in value for value in seen), name
        assert not any("\u202e" in value for value in seen), name


def test_storable_problem_names_what_the_database_would_refuse():
    assert text.storable_problem("Certificate", label="Name", max_length=200) == ""
    assert "NUL" in text.storable_problem("Cert\x00", label="Name", max_length=200)
    assert "at most 200" in text.storable_problem("x" * 201, label="Name", max_length=200)
