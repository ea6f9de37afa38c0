"""Template variables as they print on a certificate."""

from __future__ import annotations

from decimal import Decimal

from django.utils.safestring import SafeString

from cert_plugin.rendering.context import sample_context
from cert_plugin.rendering.html import TEMPLATE_VARIABLES, check_template
from tests.rendering.conftest import ISSUED, VERIFY_URL, make_context

OPTIONS = {
    "signatories": [{"name": "Dr. Grace Hopper", "title": "Dean", "signature": "hopper"},
                    {"name": "Alan Turing", "title": "Director", "signature": ""}],
    "honors": [[0.8, "With merit"], [0.9, "With distinction"]],
}


def test_display_strings() -> None:
    context = make_context(hours=Decimal("7.50"), grade=0.925)
    assert context["hours"] == "7.5"
    assert context["grade"] == "92%"
    assert context["issued_at"] == "24 November 2026"
    assert context["expires_at"] == ""
    assert context["verification_code"] == "7K3M-9QXP-2D4F-8HJW"
    assert isinstance(context["qr_svg"], SafeString)
    assert context["qr_svg"].startswith("<svg")


def test_missing_values_print_empty() -> None:
    context = make_context(hours=None, grade=None, options=OPTIONS)
    assert (context["hours"], context["grade"], context["honors"]) == ("", "", "")


def test_dates_and_numbers_follow_the_certificate_language() -> None:
    context = make_context(hours=Decimal("7.5"), expires_at=ISSUED, language="fr")
    assert context["issued_at"] == "24 novembre 2026" == context["expires_at"]
    assert context["hours"] == "7,5"
    assert make_context(language="ja")["issued_at"] == "2026年11月24日"


def test_honors_is_the_highest_rule_reached() -> None:
    assert make_context(grade=0.95, options=OPTIONS)["honors"] == "With distinction"
    assert make_context(grade=0.85, options=OPTIONS)["honors"] == "With merit"
    assert make_context(grade=0.7, options=OPTIONS)["honors"] == ""


def test_assets_and_signatories_point_at_uploaded_files() -> None:
    context = make_context(assets=["logo", "hopper"], options=OPTIONS)
    assert context["assets"] == {"logo": "asset:logo", "hopper": "asset:hopper"}
    assert context["signatories"] == [
        {"name": "Dr. Grace Hopper", "title": "Dean", "signature_url": "asset:hopper",
         "signature_alt": "Signature of Dr. Grace Hopper"},
        {"name": "Alan Turing", "title": "Director", "signature_url": "",
         "signature_alt": "Signature of Alan Turing"},
    ]


def test_sample_context_fills_every_variable() -> None:
    context = sample_context(asset_names=["logo"])
    assert set(context) == set(TEMPLATE_VARIABLES)
    assert all(context[name] for name in TEMPLATE_VARIABLES)
    assert context["signatories"][0]["name"]
    check_template("{{ assets.logo }}", asset_names=context["assets"])


def test_verify_url_is_kept() -> None:
    assert make_context()["verify_url"] == VERIFY_URL
