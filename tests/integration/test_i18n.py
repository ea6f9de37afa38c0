"""The plugin in Brazilian Portuguese, and the catalogue that makes it so.

A learner or verifier whose browser asks for Portuguese (``Accept-Language: pt-BR``,
read by the host's LocaleMiddleware) sees the verify form, the verify page, the
not-found page and the certificate page in Portuguese. The catalogue stays complete:
every string of the code and templates is in it, translated, and compiled at set-up
(``make setup`` runs compilemessages; the .mo files are build artefacts, not committed).
"""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

import cert_plugin
from cert_plugin import api
from cert_plugin.dates import local_date

PACKAGE = Path(cert_plugin.__file__).resolve().parent
UNKNOWN = "ZZZZ-9999-ZZZZ-9990"
PT = {"HTTP_ACCEPT_LANGUAGE": "pt-BR,pt;q=0.9,en;q=0.5"}
_PLACEHOLDER = r"%\(\w+\)[sdif]|%%|\{\w*\}"  # %(name)s, %(n)d, a literal %%, {name}
STALE = "run `make i18n` (makemessages + compilemessages) and translate the new entries of"


pytestmark = pytest.mark.usefixtures("no_render_task")


# ----------------------------------------------------------------------------- a tiny .po reader


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr / msgstr[n] and flags (not obsolete ones)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set()}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif found := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line):
                field = found.group(1)
                entry[field] = _unquote(found.group(2))
            elif line.startswith('"') and field:
                entry[field] += _unquote(line[1:-1])
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _messages(entries: list[dict]) -> list[dict]:
    return [entry for entry in entries if entry["msgid"]]  # without the header


def _msgids(path: Path) -> set[tuple[str | None, str]]:
    return {(entry.get("msgctxt"), entry["msgid"]) for entry in _messages(_entries(path))}


# ----------------------------------------------------------------------------- pages


def _earned(lms, name="Ana Beatriz Gonçalves"):
    course = lms.course(title="Análise de Dados com Python")
    api.configure_course(course.course_key)
    learner = lms.learner(course, name=name)
    lms.pass_all_quizzes(learner, course)
    lms.complete_all(learner, course)
    [certificate] = api.certificates_for(learner)
    return learner, certificate


def _get(url: str, user=None, **extra):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url, **extra)


def _text(response) -> str:
    """What a reader sees: the visible text, whitespace collapsed."""
    tree = lxml.html.fromstring(response.content.decode())
    for hidden in tree.xpath("//script|//style"):
        hidden.drop_tree()
    return " ".join(tree.text_content().split())


def _lang(response) -> str:
    return lxml.html.fromstring(response.content.decode()).get("lang")


def test_the_verify_page_speaks_portuguese_to_a_portuguese_browser(lms):
    _, certificate = _earned(lms)

    response = _get(reverse("cert_plugin:verify", args=[certificate.formatted_code]), **PT)

    assert response.status_code == 200
    assert _lang(response) == "pt-br"
    text = _text(response)
    for phrase in ("Este certificado é válido", "Detalhes do certificado", "Concedido a",
                   "Código de verificação", "Emitido em", "Verificar outro certificado",
                   "Ana Beatriz Gonçalves"):
        assert phrase in text, phrase
    with translation.override("pt-br"):
        issued_on = local_date(certificate.issued_at)
    assert " de " in issued_on  # e.g. "24 de novembro de 2026"
    assert issued_on == issued_on.lower()  # month names in lower case, as Portuguese writes them
    assert issued_on in text
    assert "This certificate is valid" not in text
    assert "Certificate details" not in text


def test_the_verify_page_stays_english_for_an_english_browser(lms):
    _, certificate = _earned(lms)

    response = _get(reverse("cert_plugin:verify", args=[certificate.formatted_code]),
                    HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert _lang(response) == "en"
    assert "This certificate is valid" in _text(response)


def test_the_verify_form_and_its_error_are_in_portuguese(db):
    form = _get(reverse("cert_plugin:verify-form"), **PT)
    text = _text(form)
    assert "Verificar um certificado" in text
    assert "Digite o código de verificação impresso no certificado" in text
    assert "Espaços, hífens e letras maiúsculas não fazem diferença." in text
    button = lxml.html.fromstring(form.content.decode()).xpath("//form//button[@type='submit']")[0]
    assert button.text_content().strip() == "Verificar"

    wrong = _get(reverse("cert_plugin:verify-form"), data={"code": "hello world"}, **PT)

    assert "Isso não é um código de verificação." in _text(wrong)


def test_the_not_found_page_is_in_portuguese(db):
    response = _get(reverse("cert_plugin:verify", args=[UNKNOWN]), **PT)

    assert response.status_code == 404
    text = _text(response)
    for phrase in ("Nenhum certificado encontrado com este código", "Você digitou:", "O que conferir",
                   "Tentar outro código"):
        assert phrase in text, phrase


def test_the_learner_sees_their_certificate_page_in_portuguese(lms):
    learner, certificate = _earned(lms)

    response = _get(reverse("cert_plugin:certificate", args=[certificate.formatted_code]), learner, **PT)

    assert response.status_code == 200
    text = _text(response)
    for phrase in ("Certificado de conclusão",
                   "Este certificado é válido e pode ser verificado por qualquer pessoa.",
                   "Baixar PDF", "Baixar PNG", "Compartilhar", "Adicionar ao LinkedIn", "Link de verificação",
                   "Exibir no meu perfil público"):
        assert phrase in text, phrase
    root = lxml.html.fromstring(response.content.decode()).get_element_by_id("certificate")
    assert root.get("data-msg-copied") == "Link copiado"  # what the share script announces


def test_the_learner_tab_is_in_portuguese(lms):
    learner, certificate = _earned(lms)

    response = _get(reverse("cert_plugin:learner-dashboard"), learner, **PT)

    assert response.status_code == 200
    text = _text(response)
    for phrase in ("Meus certificados", "Conquistados", "Emitido", "Baixar PDF", "Precisa de ajuda?",
                   certificate.course_title):
        assert phrase in text, phrase


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def _halfway(lms):
    """A learner with one of three lessons done and no quiz taken, in a course with staff approval."""
    course = lms.course(title="Análise de Dados com Python")
    [first, *_rest] = lms.quizzes(course)
    api.configure_course(course.course_key, required_quizzes=[str(first.usage_key)], requires_approval=True,
                         additional_requirements=[{"key": "project", "label": "Projeto final"}])
    learner = lms.learner(course)
    lms.complete(learner, lms.lessons(course)[0])
    return course, learner


def test_the_progress_checklist_and_its_summary_speak_the_learners_language(lms):
    course, learner = _halfway(lms)

    response = _get(reverse("cert_plugin:learner-dashboard"), learner, **PT)

    text = _text(response)
    for english in ("Complete all lessons", "1 of 3 lessons completed", "Approval by the course staff",
                    "Not yet confirmed by course staff", "requirements left"):
        assert english not in text, english
    for english in ("Complete all lessons", "Approval by the course staff",
                    "Not yet confirmed by course staff"):
        assert _in("pt-br", english) != english, f"{english!r} has no Portuguese"
        assert _in("pt-br", english) in text, english
    with translation.override("pt-br"):
        done = translation.ngettext("{done} of {total} lesson completed",
                                    "{done} of {total} lessons completed", 3).format(done=1, total=3)
    assert done in text

    url = reverse("cert_plugin:api-course-progress", args=[str(course.course_key)])
    progress = _get(url, learner, **PT).json()
    labels = [item["label"] for item in progress["items"]]
    assert _in("pt-br", "Complete all lessons") in labels
    assert "Complete all lessons" not in labels
    assert "requirements left" not in progress["message"]


def test_the_staff_requirements_card_and_job_names_speak_portuguese(lms):
    course, _learner = _halfway(lms)
    staff = lms.staff(course)
    api.start_job("backfill", course.course_key, by=staff)  # listed under the course's recent jobs

    text = _text(_get(reverse("cert_plugin:staff-dashboard", args=[str(course.course_key)]), staff, **PT))

    for english in ("Complete all lessons", "Get approval from the course staff",
                    "Issue to qualified learners"):
        assert english not in text, english
        assert _in("pt-br", english) in text, english


def test_a_certificate_that_never_expires_does_not_read_not_valid_in_portuguese(lms):
    _, certificate = _earned(lms)

    text = _text(_get(reverse("cert_plugin:verify", args=[certificate.formatted_code]), **PT))

    assert "Não expira" in text
    assert "validade" not in text.lower().replace("válido", "")


def test_an_arabic_browser_gets_the_verify_page_in_arabic_right_to_left(lms):
    _, certificate = _earned(lms, name="ليلى حداد")

    response = _get(reverse("cert_plugin:verify", args=[certificate.formatted_code]),
                    HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")

    root = lxml.html.fromstring(response.content.decode())
    assert (root.get("lang"), root.get("dir")) == ("ar", "rtl")
    text = _text(response)
    for english in ("This certificate is valid", "Certificate details", "Verification code", "Issued on"):
        arabic = _in("ar", english)
        assert re.search("[\u0600-\u06ff]", arabic), f"{english!r} has no Arabic"
        assert arabic in text, english
        assert english not in text, english


# ----------------------------------------------------------------------------- the catalogue


# Every language the host offers (besides English, the source) has a complete catalogue: a page in a
# language the plugin cannot speak would be English sentences laid out for another script.
OFFERED = [code for code, _name in settings.LANGUAGES if code.split("-")[0] != "en"]
PLURAL_FORMS = {
    "pt_BR": "Plural-Forms: nplurals=2; plural=(n > 1);",
    "ar": "Plural-Forms: nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
          "n%100>=11 && n%100<=99 ? 4 : 5;",
}


def _po(language: str) -> Path:
    return PACKAGE / "locale" / translation.to_locale(language) / "LC_MESSAGES" / "django.po"


def test_the_demo_offers_portuguese_and_arabic_and_no_language_without_a_catalogue():
    assert OFFERED == ["pt-br", "ar"]
    for language in OFFERED:
        assert _po(language).exists(), f"{language} is offered but the plugin has no catalogue for it"


@pytest.mark.parametrize("language", OFFERED)
def test_the_catalogue_is_complete_with_nothing_fuzzy_and_placeholders_kept(language):
    po = _po(language)
    entries = _entries(po)
    [header] = [entry for entry in entries if not entry["msgid"]]
    locale = translation.to_locale(language)
    assert f"Language: {locale}\n" in header["msgstr"]
    assert PLURAL_FORMS[locale] in header["msgstr"].replace("\n", " ")
    assert "fuzzy" not in header["flags"]
    messages = _messages(entries)
    assert len(messages) > 100
    untranslated = [entry["msgid"] for entry in messages
                    if not all(value for key, value in entry.items() if key.startswith("msgstr"))]
    fuzzy = [entry["msgid"] for entry in messages if "fuzzy" in entry["flags"]]
    assert not untranslated, f"untranslated: {untranslated} — {STALE} {po}"
    assert not fuzzy, f"fuzzy: {fuzzy} — check and translate them in {po}"
    for entry in messages:
        placeholders = set(re.findall(_PLACEHOLDER, entry.get("msgid_plural", entry["msgid"])))
        for key, value in entry.items():
            if key.startswith("msgstr"):
                found = set(re.findall(_PLACEHOLDER, value))
                # A plural form for exactly one (or two) may say "one"/"two" in words instead of the number.
                assert found == placeholders or (key != "msgstr" and found < placeholders), entry["msgid"]


@pytest.mark.parametrize("language", OFFERED)
def test_every_string_of_the_code_and_templates_is_in_the_catalogue(language, tmp_path, monkeypatch):
    """makemessages over a copy of the package finds no msgid that the committed catalogue lacks."""
    copy = tmp_path / "cert_plugin"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "static"))
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    locale = translation.to_locale(language)

    call_command("makemessages", locale=[locale], verbosity=0)

    found = _msgids(copy / "locale" / locale / "LC_MESSAGES" / "django.po")
    missing = sorted(msgid for _, msgid in found - _msgids(_po(language)))
    assert not missing, f"not in the catalogue: {missing} — {STALE} {_po(language)}"


@pytest.mark.parametrize("language", OFFERED)
def test_the_compiled_catalogue_is_built_from_the_current_po(language):
    """The .mo that Django reads (compiled by `make setup`) says what the committed .po says."""
    po = _po(language)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: `make setup` compiles it (compilemessages, needs gettext)"
    with mo.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = f"{mo} is older than {po}: run `make setup` (it compiles the catalogues)"
    for entry in _messages(_entries(po)):
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            for n in (1, 2, 5, 11, 100):
                args = (entry["msgid"], entry["msgid_plural"], n)
                found = catalogue.npgettext(context, *args) if context else catalogue.ngettext(*args)
                assert found in {value for key, value in entry.items() if key.startswith("msgstr[")}, stale
        else:
            msgid = entry["msgid"]
            found = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
            assert found == entry["msgstr"], stale
