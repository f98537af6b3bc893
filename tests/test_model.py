"""CVR validation and the data model's value objects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fuaalborg
from fuaalborg.model import Department, Dwelling, Organisation, is_valid_cvr

#: Erhvervsstyrelsen's weights, written here rather than read from the library.
WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def _with_check_digit(prefix: list[int]) -> str | None:
    """The CVR number with these seven digits, or None when no check digit fits."""
    partial = sum(d * w for d, w in zip(prefix, WEIGHTS[:7], strict=True))
    check = (-partial) % 11  # the last weight is 1
    return None if check == 10 else "".join(map(str, prefix)) + str(check)


#: Any CVR number that passes the modulus-11 check (first digit 1–9).
valid_cvrs = (
    st.tuples(st.integers(1, 9), st.lists(st.integers(0, 9), min_size=6, max_size=6))
    .map(lambda t: _with_check_digit([t[0], *t[1]]))
    .filter(lambda cvr: cvr is not None)
    .map(str)
)


@given(valid_cvrs)
def test_every_valid_cvr_passes(cvr: str) -> None:
    assert is_valid_cvr(cvr)
    assert Organisation(cvr, "Testforening").cvr == cvr


@given(valid_cvrs, st.integers(0, 7), st.integers(1, 9))
def test_every_single_digit_change_fails(cvr: str, position: int, delta: int) -> None:
    changed = cvr[:position] + str((int(cvr[position]) + delta) % 10) + cvr[position + 1 :]
    assert changed != cvr
    assert not is_valid_cvr(changed)
    with pytest.raises(fuaalborg.ValidationError, match="CVR"):
        Organisation(changed, "Testforening")


@pytest.mark.parametrize(
    ("cvr", "valid"),
    [
        ("31831814", True),  # Vivabolig
        ("32043887", True),  # DOMEA
        ("10000009", True),  # passes the check (weights sum to 11)
        ("12345678", False),
        ("01000004", False),  # passes modulus 11, but no CVR number starts with 0
        ("31831841", False),  # two digits swapped
    ],
)
def test_known_numbers(cvr: str, valid: bool) -> None:
    assert is_valid_cvr(cvr) is valid


@pytest.mark.parametrize("bad", ["1234567", "123456789", "3183181A", "", None, 31831814])
def test_malformed_cvr_is_refused(bad: object) -> None:
    assert not is_valid_cvr(bad)
    with pytest.raises(fuaalborg.ValidationError, match="not 8 digits"):
        fuaalborg.validate_cvr(bad)


def test_the_fourteen_parties_pass() -> None:
    parties = fuaalborg.parties()
    assert len(parties) == 14
    assert len({p.cvr for p in parties}) == 14
    assert all(is_valid_cvr(p.cvr) for p in parties)
    names = {p.name for p in parties}
    assert {"Vivabolig", "DOMEA", "Lejerbo", "Boligforeningen Enggaarden"} <= names


def test_validation_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="modulus-11"):
        Organisation("31831815", "Vivabolig")


def test_department_checks_counts_and_cvr() -> None:
    dep = Department("D1", "31831814", "Testvej", 40, 2, 80, 50, area_id=None)
    assert dep.dwellings == 42
    with pytest.raises(fuaalborg.ValidationError, match="exceeds residents"):
        Department("D1", "31831814", "Testvej", 40, 0, 10, 50)
    with pytest.raises(fuaalborg.ValidationError, match="family_dwellings"):
        Department("D1", "31831814", "Testvej", -1, 0, 10, 5)
    with pytest.raises(fuaalborg.ValidationError, match="department 'D1'"):
        Department("D1", "31831815", "Testvej", 1, 0, 10, 5)


def test_dwelling_kind_is_checked() -> None:
    Dwelling("B1", "D1", "bab", 2, 55.0, 3200.0)
    with pytest.raises(ValueError, match="kind"):
        Dwelling("B1", "D1", "youth", 2, 55.0, 3200.0)  # type: ignore[arg-type]
