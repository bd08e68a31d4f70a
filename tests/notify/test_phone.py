"""The mobile number a customer types for outage texts, in every common UK form."""

from __future__ import annotations

import pytest

from notify import phone


@pytest.mark.parametrize(
    "typed",
    ["+44 (0)7700 900321", "07700-900-321", "07700900321", "+447700900321", "07700 900321", "0044 7700 900321",
     "text me on 07700 900321 please"],
)  # fmt: skip
def test_common_forms_read_as_one_mobile(typed: str) -> None:
    assert phone.mobile_e164(typed) == "+447700900321"


@pytest.mark.parametrize("typed", ["12345", "", "yes please", "0770090032", "+1 202 555 0143", "07700 900321 9999"])
def test_what_is_not_a_uk_mobile_is_refused(typed: str) -> None:
    assert phone.mobile_e164(typed) is None


def test_a_landline_is_a_number_but_not_a_mobile() -> None:
    assert phone.mobile_e164("020 7946 0001") is None
    assert phone.any_phone("020 7946 0001") == "+442079460001"
    assert phone.any_phone("07700 90032") is None  # a mobile with a digit missing is not a landline


def test_hostile_unicode_is_refused_not_raised() -> None:
    fullwidth = "".join(chr(0xFF10 + int(d)) if d.isdigit() else d for d in "07700 900321")
    bold = "".join(chr(0x1D7CE + int(d)) if d.isdigit() else d for d in "07700 900321")
    for typed in ["\u202e07700 900321", fullwidth + "\u0000", bold, "7" * 5000]:
        result = phone.mobile_e164(typed)
        assert result is None or result == "+447700900321"


def test_numbers_are_shown_as_people_write_them_or_masked() -> None:
    assert phone.national("+447700900321") == "07700 900321"
    assert phone.masked("+447700900001") == "your mobile ending in 001"
