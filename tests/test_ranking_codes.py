"""The ranking's inner parts: id codes, the choice of a short top, what is built lazily.

Applicant ids are coded in text order from their bytes (:func:`id_codes`), a
short top is chosen under a bound taken from a sample (``_smallest``), and the
ineligible rows and explanation inputs are built only when asked for. Each part
is compared with the plain computation it replaces.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuaalborg
from fuaalborg.letting._waiting_list import id_codes, prepare
from fuaalborg.letting.ranking import _smallest, rank
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.records import RankingBasis, RankingRecord

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Letters of ids: ASCII, Danish letters, an accent, a character beyond the BMP, NUL.
ALPHABET = st.sampled_from([*"0123456789AZaz-_ .", "æ", "ø", "å", "Æ", "Ø", "é", "😀", "\x00"])
IDS = st.lists(st.text(ALPHABET, min_size=1, max_size=40), min_size=1, max_size=60)


def dense_text_ranks(values: list[str]) -> list[int]:
    """0, 1, 2, … over the distinct values in Python's (code point) order."""
    order = {v: i for i, v in enumerate(sorted(set(values)))}
    return [order[v] for v in values]


@SETTINGS
@given(IDS)
def test_text_ids_are_coded_in_text_order_whatever_their_bytes(values: list[str]) -> None:
    expected = dense_text_ranks(values)
    arrow = pd.array(values, dtype="string[pyarrow]")
    assert id_codes(arrow).tolist() == expected
    assert id_codes(np.array(values, dtype=object)).tolist() == expected


@SETTINGS
@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=200), st.integers(1, 12))
def test_many_digit_ids_are_coded_in_text_order(numbers: list[int], width: int) -> None:
    # fixed-width numbers whose digits vary in many positions: the radix outgrows a look-up
    values = [f"P{n % 10**width:0{width}d}" for n in numbers]
    assert id_codes(pd.array(values, dtype="string[pyarrow]")).tolist() == dense_text_ranks(
        values
    )


def test_ids_beyond_one_word_are_coded_in_text_order() -> None:
    # 30 positions of 64 letters each: more than 2**64 combinations, so several words
    rng = np.random.default_rng(5)
    letters = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"))
    values = ["".join(rng.choice(letters, 30)) for _ in range(500)]
    values += values[:50]  # repeated ids keep one code
    assert id_codes(pd.array(values, dtype="string[pyarrow]")).tolist() == dense_text_ranks(
        values
    )


def test_a_sliced_arrow_array_is_coded_from_its_own_rows() -> None:
    values = pd.array([f"id{i:03d}" for i in range(100)], dtype="string[pyarrow]")[37:61]
    assert id_codes(values).tolist() == list(range(24))


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "str", "object", "category"])
def test_the_frame_shows_the_ids_as_pandas_shows_text(dtype: str) -> None:
    frame = pd.DataFrame({
        "applicant_id": pd.Series(["b", "a", "c"]).astype(dtype),
        "list": ["external"] * 3,
        "seniority_date": pd.to_datetime(["2010-01-01"] * 3),
        "household_size": [1, 1, 9],
    })
    r = rank(frame, Vacancy("D1", 2, 5000, dt.date(2024, 5, 1)), route="ordinary")
    text = pd.Series(np.array(["x"], dtype=object)).dtype
    assert r.frame["applicant_id"].dtype == text
    assert r.frame["applicant_id"].tolist() == ["a", "b"]
    assert r.ineligible["applicant_id"].tolist() == ["c"]


ORDERS = st.sampled_from(["random", "ascending", "descending", "sample-last"])


@settings(max_examples=25, deadline=None)
@given(n=st.integers(8 * 4096 + 1, 70_000), top=st.integers(0, 600), order=ORDERS,
       seed=st.integers(0, 2**16))
def test_a_short_top_is_the_first_of_the_full_order(n: int, top: int, order: str,
                                                    seed: int) -> None:
    keys = np.random.default_rng(seed).permutation(np.arange(n, dtype=np.int64) * 7 + 3)
    if order == "ascending":
        keys = np.sort(keys)
    elif order == "descending":
        keys = np.sort(keys)[::-1].copy()
    elif order == "sample-last":
        # the evenly spaced sample holds the largest keys: the bound helps nothing
        step = n // 4096
        keys = np.sort(keys)
        sample = np.arange(0, n, step)
        rest = np.setdiff1d(np.arange(n), sample)
        arranged = np.empty(n, dtype=np.int64)
        arranged[sample] = keys[n - len(sample):]
        arranged[rest] = keys[: n - len(sample)]
        keys = arranged
    assert _smallest(keys, top).tolist() == np.argsort(keys)[:top].tolist()


def test_the_ineligible_rows_and_explanation_inputs_wait_until_asked_for() -> None:
    frame = pd.DataFrame({
        "applicant_id": ["a", "b", "c"], "list": ["external"] * 3,
        "seniority_date": pd.to_datetime(["2010-01-01", "2011-01-01", "2012-01-01"]),
        "household_size": [1, 1, 9],
    })
    r = rank(frame, Vacancy("D1", 2, 5000, dt.date(2024, 5, 1)), route="ordinary")
    assert r._ineligible is None
    assert r._record is None
    assert r._cand_keys is None
    assert r.position_of("b") == 2
    assert r._cand_keys is not None
    assert r._ineligible is None
    assert r.ineligible["applicant_id"].tolist() == ["c"]
    assert r._ineligible is not None
    assert r._record is None


# -- the basis and the record ------------------------------------------------------------


def test_the_record_is_the_ranking_s_basis_and_the_outcome() -> None:
    frame = pd.DataFrame({
        "applicant_id": ["a", "b"], "list": ["external", "internal"],
        "seniority_date": pd.to_datetime(["2010-01-01", "2011-01-01"]),
        "household_size": [1, 1],
    })
    r = rank(frame, Vacancy("D1", 2, 5000, dt.date(2024, 5, 1)), route="ordinary",
             turn="internal", designation="udsat")
    assert isinstance(r.basis, RankingBasis)
    assert r.record.basis == r.basis
    assert isinstance(r.record, RankingBasis)
    assert (r.basis.route, r.basis.turn, r.basis.designation) == ("ordinary", "internal", "udsat")
    assert RankingRecord.of(
        r.basis, input=r.record.input, top=None, eligible=2, ineligible=0, ranked=("b", "a"),
        library_version=r.record.library_version, bounds=r.record.bounds,
    ) == r.record
    # the record's JSON keeps the keys records have always had, and now the notices and
    # the sanity bounds the list was checked against
    assert set(r.record.to_dict()) == {
        "vacancy", "on", "route", "route_basis", "turn", "turn_basis", "colour", "colour_basis",
        "organisation_cvr", "agreement", "criteria", "parameters", "plugins", "input", "top",
        "eligible", "ineligible", "ranked", "library_version", "schema", "designation",
        "notices", "bounds",
    }


def test_replay_moved_and_the_old_name_still_works_with_a_warning() -> None:
    import fuaalborg.letting.replay as moved
    import fuaalborg.records as records

    assert fuaalborg.replay is moved.replay
    with pytest.warns(DeprecationWarning, match=r"fuaalborg\.letting\.replay"):
        old = records.replay
    assert old is moved.replay
    with pytest.warns(DeprecationWarning, match="records' data only"):
        from fuaalborg.records import Replay
    assert Replay is moved.Replay
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert records.RankingRecord is fuaalborg.RankingRecord
    with pytest.raises(AttributeError):
        records.nothing_here  # noqa: B018


@pytest.mark.parametrize("first", ["fuaalborg.records", "fuaalborg.letting._explain"])
def test_records_ranking_and_explanations_import_in_any_order(first: str) -> None:
    code = (
        f"import importlib, sys; importlib.import_module({first!r}); "
        "import fuaalborg.records, fuaalborg.letting.ranking, fuaalborg.letting.replay; "
        "print('fuaalborg.letting.ranking' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    if first == "fuaalborg.records":
        # the records are data (a vacancy, notices): importing them loads no ranking
        alone = subprocess.run(
            [sys.executable, "-c", "import sys, fuaalborg.records; "
             "print(sorted(m for m in sys.modules if m.startswith('fuaalborg.letting')))"],
            capture_output=True, text=True, check=True,
        )
        assert alone.stdout.strip() == (
            "['fuaalborg.letting', 'fuaalborg.letting.notices', 'fuaalborg.letting.vacancy']"
        )


def test_a_waiting_list_is_prepared_once_for_many_vacancies() -> None:
    frame = pd.DataFrame({
        "applicant_id": pd.array(["b", "a"], dtype="string[pyarrow]"), "list": ["external"] * 2,
        "seniority_date": pd.to_datetime(["2010-01-01", "2010-01-01"]),
        "household_size": [1, 1],
    })
    wl = prepare(frame)
    assert prepare(wl) is wl
    assert wl.id_code.tolist() == [1, 0]
    assert wl.take_ids(np.array([1, 0])).tolist() == ["a", "b"]
