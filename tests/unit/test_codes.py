"""Verification codes: what a learner or a verifier types, pastes or reads aloud."""

from __future__ import annotations

import secrets
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cert_plugin.codes import ALPHABET, format_code, generate, is_well_formed, normalize

CODE = "7K3M9XQ2VD4HJ8TB"
SHOWN = "7K3M-9XQ2-VD4H-J8TB"

real_codes = st.text(alphabet=ALPHABET, min_size=16, max_size=16)

# What people put between symbols: spaces of every kind, hyphens, dashes, minus, line breaks.
SEPARATORS = ["", "", "", " ", "  ", "-", "\u00a0", "\u2009", "\u2013", "\u2014", "\u2212", "\t", "\n"]
# How a symbol may be typed: either case, and the lookalike letters for 0 and 1.
SPELLINGS = {"0": ["0", "O", "o"], "1": ["1", "I", "i", "L", "l"]}


@st.composite
def typed_variants(draw: st.DrawFn, code: str) -> str:
    """``code`` as a person might type it: random case, lookalikes and separators."""
    parts = [draw(st.sampled_from(SEPARATORS))]
    for symbol in code:
        parts.append(draw(st.sampled_from(SPELLINGS.get(symbol, [symbol.upper(), symbol.lower()]))))
        parts.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(parts)


@st.composite
def codes_and_variants(draw: st.DrawFn) -> tuple[str, str]:
    code = draw(real_codes)
    return code, draw(typed_variants(code))


# generate ----------------------------------------------------------------------------------------


def test_generate_gives_sixteen_symbols_of_the_alphabet() -> None:
    for _ in range(200):
        code = generate()
        assert len(code) == 16
        assert set(code) <= set(ALPHABET)


def test_generated_codes_are_canonical() -> None:
    code = generate()
    assert normalize(code) == code
    assert "-" not in code
    assert code == code.upper()


def test_generated_codes_are_distinct() -> None:
    assert len({generate() for _ in range(10_000)}) == 10_000


def test_every_position_takes_every_symbol() -> None:
    # 80 bits = 16 x 5: each symbol, the first one included, is uniformly random.
    # With 3000 codes, a symbol missing from a position has probability ~e^-95.
    generated = [generate() for _ in range(3000)]
    for position in range(16):
        assert {code[position] for code in generated} == set(ALPHABET), position


def test_symbols_are_spread_evenly() -> None:
    counts = Counter("".join(generate() for _ in range(2000)))
    expected = 2000 * 16 / 32  # 1000 per symbol
    assert all(0.8 * expected < counts[symbol] < 1.2 * expected for symbol in ALPHABET)


@pytest.mark.parametrize(
    ("bits", "code"),
    [
        (0, "0000000000000000"),
        (1, "0000000000000001"),
        (32, "0000000000000010"),
        (31 << 75, "Z000000000000000"),
        (2**80 - 1, "ZZZZZZZZZZZZZZZZ"),
    ],
)
def test_generate_encodes_80_random_bits_keeping_leading_zeros(
    monkeypatch: pytest.MonkeyPatch, bits: int, code: str
) -> None:
    requested = []

    def randbits(k: int) -> int:
        requested.append(k)
        return bits

    monkeypatch.setattr(secrets, "randbits", randbits)
    assert generate() == code
    assert requested == [80]


# normalize ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        SHOWN,
        SHOWN.lower(),
        f"  {SHOWN}  ",
        "7k3m 9xq2 vd4h j8tb",
        "7K3M\u00a09XQ2\u00a0VD4H\u00a0J8TB",  # non-breaking spaces
        "7K3M\u20139XQ2\u2014VD4H\u2212J8TB",  # en dash, em dash, minus sign
        "7K3M-\n9XQ2-\tVD4H-J8TB\n",
        "\u200b7K3M-9XQ2-VD4H-J8TB\ufeff",  # zero-width space and BOM from a copied PDF
        "7-K-3-M-9-X-Q-2-V-D-4-H-J-8-T-B",
    ],
)
def test_normalize_ignores_spaces_hyphens_and_case(typed: str) -> None:
    assert normalize(typed) == CODE


def test_normalize_maps_lookalike_letters() -> None:
    assert normalize("O0oI-1iLl-2345-6789") == "0001111123456789"


@pytest.mark.parametrize(
    "pasted",
    [
        f"https://lms.example.com/certs/verify/{SHOWN}/",
        f"https://lms.example.com/certs/verify/{SHOWN}",
        f"https://lms.example.com/certs/verify/{SHOWN.lower()}/?utm_source=linkedin#top",
        f"lms.example.com/certs/verify/{CODE}/",
        f"/certs/verify/{CODE}/",
        f"  https://lms.example.com/certs/verify/{SHOWN}/\n",
        "https://lms.example.com/certs/verify/7K3M%209XQ2%20VD4H%20J8TB/",
    ],
)
def test_normalize_accepts_a_pasted_verify_link(pasted: str) -> None:
    assert normalize(pasted) == CODE


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "----",
        "7K3M-9XQ2-VD4H",  # too short
        "7K3M-9XQ2-VD4H-J8T",  # one symbol short
        "7K3M-9XQ2-VD4H-J8TB-0",  # one symbol too many
        "7K3M-9XQ2-VD4H-J8TU",  # U is not in the alphabet
        "7K3M-9XQ2-VD4H-J8T!",
        "7K3M_9XQ2_VD4H_J8TB",  # underscores are not separators
        "7K3M.9XQ2.VD4H.J8TB",
        "7K3M-9XQ2-VD4H-J8T\u00c9",  # accented letter
        "\uff17K3M-9XQ2-VD4H-J8TB",  # full-width digit
        "7K3M-9XQ2-VD4H-J8T\u0131",  # dotless i, which upper-cases to I
        "https://lms.example.com/certs/verify/",
        "https://lms.example.com/certs/verify/7K3M-9XQ2-VD4H-J8TB.pdf",
        "http://[::1/certs/verify/7K3M-9XQ2-VD4H-J8TB/",  # malformed link
        "' OR 1=1 --",
        CODE * 1000,  # huge input
        " " * 10_000 + CODE,  # a code hidden in a huge input
    ],
)
def test_normalize_refuses_junk(junk: str) -> None:
    assert normalize(junk) is None
    assert not is_well_formed(junk)


def test_input_length_is_limited() -> None:
    assert normalize(CODE.center(200)) == CODE
    assert normalize(CODE.center(201)) is None


@given(codes_and_variants())
def test_any_typed_variant_normalizes_back_to_the_code(case: tuple[str, str]) -> None:
    code, typed = case
    assert normalize(typed) == code


@given(real_codes, real_codes, st.data())
def test_different_codes_never_normalize_to_the_same_value(
    first: str, second: str, data: st.DataObject
) -> None:
    first_typed = data.draw(typed_variants(first))
    second_typed = data.draw(typed_variants(second))
    assert (normalize(first_typed) == normalize(second_typed)) == (first == second)


@given(st.one_of(st.text(max_size=40), st.text(alphabet=ALPHABET + "oOiIlLu -\u00a0/", max_size=40)))
def test_normalizing_is_idempotent(text: str) -> None:
    once = normalize(text)
    if once is not None:
        assert normalize(once) == once
        assert len(once) == 16
        assert set(once) <= set(ALPHABET)


# format_code and is_well_formed ------------------------------------------------------------------


def test_format_code_groups_by_four() -> None:
    assert format_code(CODE) == SHOWN


def test_format_code_normalizes_messy_input_first() -> None:
    assert format_code(" 7k3m 9xq2 vd4h j8tb ") == SHOWN
    assert format_code(f"https://lms.example.com/certs/verify/{CODE}/") == SHOWN


@pytest.mark.parametrize("junk", ["", "not a code", "7K3M-9XQ2-VD4H-J8TU"])
def test_format_code_returns_what_it_cannot_read_unchanged(junk: str) -> None:
    assert format_code(junk) == junk


@given(codes_and_variants())
def test_format_and_normalize_round_trip(case: tuple[str, str]) -> None:
    code, typed = case
    shown = format_code(typed)
    assert shown == format_code(code)
    assert len(shown) == 19
    assert shown.count("-") == 3
    assert normalize(shown) == code


def test_is_well_formed() -> None:
    assert is_well_formed(CODE)
    assert is_well_formed(SHOWN.lower())
    assert not is_well_formed("7K3M-9XQ2")
