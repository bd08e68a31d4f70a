"""Normalising what customers type."""

from __future__ import annotations

import pytest

from core.oss.identifiers import normalize_account, normalize_phone, normalize_postcode, outward_code, same_postcode


@pytest.mark.parametrize(
    ("typed", "e164"),
    [("07700 900123", "+447700900123"), ("07700900123", "+447700900123"), ("+44 7700 900123", "+447700900123"),
     ("0044 7700 900123", "+447700900123"), ("(020) 7946-0018", "+442079460018"), ("020 7946 0018", "+442079460018"),
     ("7700 900123", None), ("+1 202 555 0100", None), ("0770090012", "+44770090012"), ("hello", None), ("", None)],
)  # fmt: skip
def test_phone_numbers(typed: str, e164: str | None) -> None:
    assert normalize_phone(typed) == e164


def test_accounts_and_postcodes() -> None:
    assert normalize_account(" ac1000 0042 ") == "AC10000042"
    assert normalize_account("AC1234567") is None
    assert normalize_postcode("sw1a1aa") == "SW1A 1AA"
    assert normalize_postcode("M1 1AE") == "M1 1AE"
    assert normalize_postcode("M1") is None
    assert outward_code("ec1a 1bb") == "EC1A"
    assert same_postcode("cf10 1ep", "CF10 1EP")
    assert not same_postcode("CF10 1EQ", "CF10 1EP")
    assert not same_postcode("CF10 1EP", None)
