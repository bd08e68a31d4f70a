"""Every row of the privacy table: the personal data in it disappears, the words product owners need stay.

The table (``privacy_table.yml``) holds realistic telecom customer messages; ``bench/bench_privacy.py`` prints
its recall and over-redaction. A failing row names its text, what the redactor made of it and what went wrong.
"""

from __future__ import annotations

import pytest

from learning.redaction import Redactor
from tests.learning.privacy_table import MIN_ROWS, Row, load_table, row_misses

ROWS = load_table()


def test_the_table_is_big_enough_and_tests_both_ways() -> None:
    assert len(ROWS) >= MIN_ROWS
    assert sum(bool(row.go) for row in ROWS) >= 40, "rows with personal data"
    assert sum(not row.go for row in ROWS) >= 20, "rows that must come through untouched"


@pytest.mark.parametrize("row", ROWS, ids=[f"{i:02d}" for i in range(len(ROWS))])
def test_row(redactor: Redactor, row: Row) -> None:
    redacted = redactor.redact(row.text)
    misses = row_misses(row, redacted)
    assert not misses, f"{row.text!r} -> {redacted!r}: {'; '.join(misses)}"


def test_a_row_without_personal_data_comes_through_unchanged(redactor: Redactor) -> None:
    for row in ROWS:
        if not row.go:
            assert redactor.redact(row.text) == row.text


def test_the_scoring_notices_a_leak_and_a_loss() -> None:
    row = Row("i'm priya, 80 Mbps", go=("priya",), stay=("80 Mbps",))
    assert row_misses(row, "i'm <NAME>, 80 Mbps") == []
    assert row_misses(row, "i'm Priya, <NUMBER>") == ["left 'priya'", "lost '80 Mbps'"]
