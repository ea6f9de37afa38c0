"""The W3C Bitstring Status List: what a verifier decodes to learn that a credential is revoked."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime

import pytest

from cert_plugin.credentials import statuslist
from cert_plugin.credentials.statuslist import MIN_SIZE, decode_bitstring, encode_bitstring, is_set

# Example 3 of Bitstring Status List v1.0: an all-zero list of 16 KB.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def _expand_by_hand(encoded: str) -> bytes:
    """The spec's Bitstring Expansion Algorithm without our code: drop 'u', base64url, gunzip."""
    assert encoded.startswith("u")
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def test_index_zero_is_the_left_most_bit():
    bits = _expand_by_hand(encode_bitstring([0, 9, MIN_SIZE - 1], MIN_SIZE))
    assert len(bits) == MIN_SIZE // 8
    assert bits[0] == 0b1000_0000
    assert bits[1] == 0b0100_0000
    assert bits[-1] == 0b0000_0001
    assert not any(bits[2:-1])


def test_encoding_is_multibase_base64url_without_padding():
    encoded = encode_bitstring([5], MIN_SIZE)
    assert encoded[0] == "u"
    assert not set(encoded[1:]) - set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert encode_bitstring([5], MIN_SIZE) == encoded  # no timestamp in the GZIP header


def test_round_trip_and_lookup():
    revoked = {3, 77, 4096, 2**22 - 1}
    encoded = encode_bitstring(revoked, 2**22)
    assert len(decode_bitstring(encoded, 2**22)) == 2**19
    for index in [0, 1, 3, 76, 77, 78, 4096, 2**22 - 2, 2**22 - 1]:
        assert is_set(encoded, index) is (index in revoked)


def test_a_big_empty_list_stays_small():
    assert len(encode_bitstring([], 2**22)) < 1000


def test_the_spec_example_decodes():
    bits = decode_bitstring(SPEC_EXAMPLE)
    assert len(bits) * 8 == MIN_SIZE
    assert not any(bits)
    assert is_set(SPEC_EXAMPLE, 94567) is False


def test_a_list_without_the_multibase_prefix_is_read_too():
    assert decode_bitstring(SPEC_EXAMPLE[1:]) == decode_bitstring(SPEC_EXAMPLE)


@pytest.mark.parametrize("size", [MIN_SIZE - 8, MIN_SIZE + 1, 0])
def test_sizes_below_the_minimum_or_not_whole_bytes_are_refused(size):
    with pytest.raises(ValueError, match="size must be"):
        encode_bitstring([], size)


def test_indexes_outside_the_list_are_refused():
    with pytest.raises(ValueError, match="outside"):
        encode_bitstring([MIN_SIZE], MIN_SIZE)
    with pytest.raises(ValueError, match="outside"):
        encode_bitstring([-1], MIN_SIZE)
    with pytest.raises(ValueError, match="outside"):
        is_set(encode_bitstring([], MIN_SIZE), MIN_SIZE)


NOT_GZIP = "u" + base64.urlsafe_b64encode(b"plain").decode()


@pytest.mark.parametrize("encoded", ["", "u", "u!!!", "uAAAA", NOT_GZIP])
def test_garbage_is_a_value_error(encoded):
    with pytest.raises(ValueError, match="encodedList"):
        decode_bitstring(encoded)


def test_a_short_list_or_the_wrong_size_is_refused():
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(100))).rstrip(b"=").decode()
    with pytest.raises(ValueError, match="at least"):
        decode_bitstring(short)
    with pytest.raises(ValueError, match="not"):
        decode_bitstring(encode_bitstring([], MIN_SIZE), MIN_SIZE * 2)


def test_a_gzip_bomb_is_not_inflated():
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(32 * 1024 * 1024))).rstrip(b"=").decode()
    with pytest.raises(ValueError, match="more than"):
        decode_bitstring(bomb)


def test_the_status_list_credential():
    url = "https://lms.example.org/certs/status/revocation.json"
    encoded = encode_bitstring([1], MIN_SIZE)
    credential = statuslist.build_status_list_credential(
        url=url, issuer={"id": "https://lms.example.org/certs/issuer/", "type": ["Profile"]},
        encoded_list=encoded, valid_from=datetime(2026, 5, 1, 12, tzinfo=UTC), ttl_seconds=300)
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": "https://lms.example.org/certs/issuer/", "type": ["Profile"]},
        "validFrom": "2026-05-01T12:00:00Z",
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encoded, "ttl": 300_000},
    }
