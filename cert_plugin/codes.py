"""Verification codes: generate, format, normalize and check them.

A code is 16 symbols of Crockford's base32 alphabet carrying 80 random bits
from :mod:`secrets` (16 x 5 bits, so every symbol is uniformly random). It is
stored canonically (upper case, no separators) and shown as
``XXXX-XXXX-XXXX-XXXX``.

People read codes aloud, copy them out of PDFs and paste whole links, so
:func:`normalize` is forgiving: it ignores case, any whitespace, hyphens and
dashes, maps the lookalikes O -> 0 and I/L -> 1, and takes the code out of a
pasted ``.../certs/verify/<code>/`` URL. Everything else is refused.

This module is pure: no Django, no database.
"""

from __future__ import annotations

import secrets
from urllib.parse import unquote, urlsplit

__all__ = ["ALPHABET", "CODE_LENGTH", "format_code", "generate", "is_well_formed", "normalize"]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 16  # symbols in a canonical code
GROUP_SIZE = 4  # symbols between hyphens in the displayed form

_BITS_PER_SYMBOL = 5
_RANDOM_BITS = CODE_LENGTH * _BITS_PER_SYMBOL  # 80
_MAX_INPUT_LENGTH = 200  # longer input is refused before any work is done on it
_SYMBOLS = frozenset(ALPHABET)

# Characters dropped wherever they appear, besides whitespace (``str.isspace``,
# which covers the non-breaking and other Unicode spaces): hyphen-minus, the
# Unicode hyphens and dashes, the minus sign, and the invisible zero-width
# characters that copying from PDFs and web pages tends to leave behind.
_IGNORED = frozenset(
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"  # hyphens, dashes, minus
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space/joiners, word joiner, BOM
)
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def generate() -> str:
    """Return a new random code in canonical form (16 upper-case symbols, no hyphens)."""
    value = secrets.randbits(_RANDOM_BITS)
    return "".join(
        ALPHABET[(value >> (_BITS_PER_SYMBOL * position)) & 0b11111]
        for position in reversed(range(CODE_LENGTH))
    )


def normalize(text: str) -> str | None:
    """Return the canonical code that ``text`` spells, or ``None`` if it spells none.

    Accepts the code in any case, with any whitespace, hyphens or dashes around
    or inside it, with O for 0 and I or L for 1, or a pasted link whose last
    path segment is the code (``https://.../certs/verify/<code>/``). Returns
    ``None`` for anything that is not then exactly 16 symbols of the alphabet,
    and for input longer than 200 characters.
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT_LENGTH:
        return None
    candidate = _without_separators(text)
    if "/" in candidate:
        candidate = _without_separators(_last_path_segment(candidate))
    if len(candidate) != CODE_LENGTH or not candidate.isascii():
        return None
    candidate = candidate.upper().translate(_LOOKALIKES)
    return candidate if _SYMBOLS.issuperset(candidate) else None


def format_code(code: str) -> str:
    """Return ``code`` for display as ``XXXX-XXXX-XXXX-XXXX``.

    Input that is not canonical is normalized first; input that does not spell
    a code at all is returned unchanged, so callers can display whatever they
    were given.
    """
    canonical = normalize(code)
    if canonical is None:
        return code
    return "-".join(canonical[start : start + GROUP_SIZE] for start in range(0, CODE_LENGTH, GROUP_SIZE))


def is_well_formed(text: str) -> bool:
    """Tell whether ``text`` spells a code (see :func:`normalize`); says nothing about it existing."""
    return normalize(text) is not None


def _without_separators(text: str) -> str:
    """Drop whitespace, hyphens, dashes and zero-width characters."""
    return "".join(char for char in text if not char.isspace() and char not in _IGNORED)


def _last_path_segment(url: str) -> str:
    """Return the last non-empty path segment of a pasted link, percent-decoded, without query or fragment."""
    try:
        path = urlsplit(url).path
    except ValueError:  # e.g. a malformed IPv6 host
        return ""
    segments = [segment for segment in path.split("/") if segment]
    return unquote(segments[-1]) if segments else ""
