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
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

import cert_plugin
from cert_plugin import api

PACKAGE = Path(cert_plugin.__file__).resolve().parent
PO = PACKAGE / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
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
        issued_on = date_format(certificate.issued_at, "DATE_FORMAT")
    assert " de " in issued_on  # e.g. "24 de novembro de 2026"
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


# ----------------------------------------------------------------------------- the catalogue


def test_the_catalogue_is_complete_with_nothing_fuzzy_and_placeholders_kept():
    entries = _entries(PO)
    [header] = [entry for entry in entries if not entry["msgid"]]
    assert "Language: pt_BR\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header["msgstr"]
    assert "fuzzy" not in header["flags"]
    messages = _messages(entries)
    assert len(messages) > 100
    untranslated = [entry["msgid"] for entry in messages
                    if not all(value for key, value in entry.items() if key.startswith("msgstr"))]
    fuzzy = [entry["msgid"] for entry in messages if "fuzzy" in entry["flags"]]
    assert not untranslated, f"untranslated: {untranslated} — {STALE} {PO}"
    assert not fuzzy, f"fuzzy: {fuzzy} — check and translate them in {PO}"
    for entry in messages:
        placeholders = sorted(re.findall(_PLACEHOLDER, entry["msgid"]))
        for key, value in entry.items():
            if key.startswith("msgstr"):
                assert sorted(re.findall(_PLACEHOLDER, value)) == placeholders, entry["msgid"]


def test_every_string_of_the_code_and_templates_is_in_the_catalogue(tmp_path, monkeypatch):
    """makemessages over a copy of the package finds no msgid that the committed catalogue lacks."""
    copy = tmp_path / "cert_plugin"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "static"))
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=["pt_BR"], verbosity=0)

    found = _msgids(copy / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po")
    missing = sorted(msgid for _, msgid in found - _msgids(PO))
    assert not missing, f"not in the catalogue: {missing} — {STALE} {PO}"


def test_the_compiled_catalogue_is_built_from_the_current_po():
    """The .mo that Django reads (compiled by `make setup`) says what the committed .po says."""
    assert MO.exists(), f"{MO} is missing: `make setup` compiles it (compilemessages, needs gettext)"
    with MO.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = f"{MO} is older than {PO}: run `make setup` (it compiles the catalogues)"
    for entry in _messages(_entries(PO)):
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            for n, form in ((1, "msgstr[0]"), (2, "msgstr[1]")):
                args = (entry["msgid"], entry["msgid_plural"], n)
                found = catalogue.npgettext(context, *args) if context else catalogue.ngettext(*args)
                assert found == entry[form], stale
        else:
            msgid = entry["msgid"]
            found = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
            assert found == entry["msgstr"], stale
