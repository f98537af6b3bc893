"""Hypothesis properties of the criteria firewall."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuaalborg.criteria import (
    PROTECTED_FIELDS,
    Criterion,
    DiscriminatoryCriterionError,
    hookimpl,
    is_protected_name,
)
from fuaalborg.criteria.testing import applicant_frames, assert_refused, load_plugin
from fuaalborg.errors import AssumedTermsWarning

ON = dt.date(2024, 5, 1)
REGISTRY = load_plugin()
IDS = sorted(REGISTRY.criteria)
PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def evaluate(frame: pd.DataFrame, cid: str) -> pd.Series[bool]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumedTermsWarning)
        return REGISTRY.evaluate(cid, frame, ON)


@PROPS
@given(frame=applicant_frames(max_rows=20), cid=st.sampled_from(IDS), data=st.data())
def test_replacing_or_shuffling_protected_columns_never_changes_a_result(
    frame: pd.DataFrame, cid: str, data: st.DataObject
) -> None:
    base = evaluate(frame, cid)
    changed = frame.copy()
    for col in sorted(PROTECTED_FIELDS):
        if data.draw(st.booleans(), label=f"shuffle {col}"):
            order = data.draw(st.permutations(list(range(len(frame)))))
            changed[col] = frame[col].to_numpy()[order] if len(frame) else frame[col]
        else:
            values = data.draw(
                st.lists(st.text(max_size=5), min_size=len(frame), max_size=len(frame))
            )
            changed[col] = pd.array(values, dtype="string")
    extra = data.draw(st.sampled_from(["etnicitet", "ghetto_label", "fodeland"]))
    changed[extra] = "x"
    pd.testing.assert_series_equal(evaluate(changed, cid), base)
    removed = frame.drop(columns=sorted(PROTECTED_FIELDS))
    pd.testing.assert_series_equal(evaluate(removed, cid), base)


@PROPS
@given(frame=applicant_frames(max_rows=20), cid=st.sampled_from(IDS), data=st.data())
def test_evaluation_is_independent_of_row_order(
    frame: pd.DataFrame, cid: str, data: st.DataObject
) -> None:
    order = data.draw(st.permutations(list(range(len(frame)))))
    base = evaluate(frame, cid)
    shuffled = evaluate(frame.iloc[order], cid)
    pd.testing.assert_series_equal(shuffled.loc[base.index], base)


@PROPS
@given(frame=applicant_frames(max_rows=15))
def test_evaluate_many_equals_evaluate(frame: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumedTermsWarning)
        many = REGISTRY.evaluate_many(IDS, frame, ON)
    for cid in IDS:
        pd.testing.assert_series_equal(many[cid], evaluate(frame, cid))


_DANISH = [
    "etnicitet",
    "herkomst",
    "statsborgerskab",
    "nationalitet",
    "fødeland",
    "religion",
    "modersmål",
    "navn",
    "hudfarve",
    "kønsidentitet",
    "seksuel_orientering",
]


@st.composite
def protected_names(draw: st.DrawFn) -> str:
    base = draw(st.sampled_from(sorted(PROTECTED_FIELDS) + _DANISH))
    style = draw(st.sampled_from(["plain", "upper", "prefix", "suffix", "camel"]))
    if style == "upper":
        return base.upper()
    if style == "prefix":
        return draw(st.sampled_from(["applicant_", "partner_", "mother_"])) + base
    if style == "suffix":
        return base + draw(st.sampled_from(["_code", "_group", "_2"]))
    if style == "camel":
        parts = base.split("_")
        return parts[0] + "".join(p.title() for p in parts[1:])
    return base


@settings(max_examples=60, deadline=None)
@given(name=protected_names(), other=st.sampled_from(["age", "children", "in_education"]))
def test_a_criterion_reading_a_protected_field_is_always_refused(name: str, other: str) -> None:
    assert is_protected_name(name)
    crit = Criterion(
        id="prop.c",
        title="t",
        reads={name, other},
        predicate=lambda f: f[other].notna(),
        legal_basis="Almenboligloven § 60, stk. 1",
    )
    plugin = type("Prop", (), {"register_criteria": staticmethod(hookimpl(lambda: [crit]))})()
    group = assert_refused(plugin, DiscriminatoryCriterionError)
    assert name in str(group)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 50), seed=st.integers(0, 2**16))
def test_results_are_plain_boolean_series_on_the_callers_index(n: int, seed: int) -> None:
    from fuaalborg.criteria.testing import synthetic_applicants

    frame = synthetic_applicants(n, seed=seed)
    frame.index = pd.Index(np.random.default_rng(seed).permutation(n) * 3 + 1)
    for cid in IDS:
        result = evaluate(frame, cid)
        assert result.dtype == bool
        assert result.index.equals(frame.index)


@pytest.mark.parametrize("name", ["age", "children", "employment_permanent", "min_rooms"])
def test_ordinary_fields_are_not_protected(name: str) -> None:
    assert not is_protected_name(name)
