"""Files the library reads back load strictly: a field only in the form it declares.

A decision record, a ledger event and a parameter file are read with cattrs;
a value of another JSON kind than its field declares — ``"maybe"`` for a bool,
``3.7`` or ``true`` for a count, a number for text, text for a list — is
refused at the field's path, never loaded as something else, and the message
describes the value by its kind without showing it (it may be personal).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg.errors import InputError, ParameterFileError
from fuaalborg.letting.errors import LedgerCorruptError
from fuaalborg.letting.events import EVENT_CLASSES, decode, structure
from fuaalborg.parameters import load_parameters
from fuaalborg.records import RankingRecord

HERE = Path(__file__).parent
RECORDED = HERE / "recorded"
DATA = HERE / "data"

#: Values of each JSON kind; text that looks personal, to check it is never shown.
PERSONAL = "0101901234"
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "null": st.just(None),
    "bool": st.booleans(),
    "int": st.integers(-10**6, 10**6),
    "decimal": st.one_of(st.just(3.0), st.floats(-1e6, 1e6, allow_nan=False)),
    "text": st.sampled_from([PERSONAL, "maybe", "3", "true", "2024-05-01", ""]),
    "list": st.sampled_from([[], [PERSONAL], [1, 2]]),
    "object": st.sampled_from([{}, {"applicant_id": PERSONAL}]),
}


def _kinds(type_: Any) -> set[str]:
    """The JSON kinds a field of ``type_`` takes."""
    origin = typing.get_origin(type_)
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_kinds(t) for t in typing.get_args(type_)))
    if type_ is type(None):
        return {"null"}
    if type_ is typing.Any:
        return set(VALUES)
    if type_ is str or type_ is dt.date or origin is typing.Literal:
        return {"text"}
    if type_ is bool:
        return {"bool"}
    if type_ is int:
        return {"int"}
    if type_ is float:
        return {"int", "decimal"}
    if origin in (list, tuple):
        return {"list"}
    if origin is dict or attrs.has(type_):
        return {"object"}
    raise AssertionError(f"no JSON kind known for {type_!r}")  # pragma: no cover


def _fields(
    data: Any, type_: Any, path: tuple[Any, ...], where: str, names: dict[str, str]
) -> Iterator[tuple[tuple[Any, ...], str, set[str]]]:
    """Every field in ``data`` (of ``type_``): its path in the data, its place, its kinds."""
    yield path, where, _kinds(type_)
    args = [t for t in typing.get_args(type_) if t is not type(None)]
    if args and typing.get_origin(type_) in (typing.Union, types.UnionType):
        if len(args) == 1:
            yield from list(_fields(data, args[0], path, where, names))[1:]
        return
    if attrs.has(type_) and isinstance(data, dict):
        hints = typing.get_type_hints(type_)
        for field in attrs.fields(type_):
            key = names.get(field.name, field.name)
            if key in data:
                yield from _fields(data[key], hints[field.name], (*path, key),
                                   f"{where}.{key}" if where else key, names)
    elif typing.get_origin(type_) in (list, tuple) and isinstance(data, list):
        for i, item in enumerate(data):
            yield from _fields(item, typing.get_args(type_)[0], (*path, i), f"{where}[{i}]", names)


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    inner = data
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = value
    return data


def _rich_record() -> dict[str, Any]:
    """A recorded record with every optional part: agreement, criteria, notices, bounds."""
    data: dict[str, Any] = json.loads(
        (RECORDED / "dwelling-conditions.record.json").read_text(encoding="utf-8")
    )
    later = json.loads((DATA / "fjordby-before-municipality.record.json").read_text("utf-8"))
    data["notices"] = [{"code": "department_elsewhere", "rows": 2, "municipality": "Fjordby"}]
    data["bounds"] = later["bounds"]
    data["municipality"] = {"name": "Fjordby Kommune", "code": "999", "synthetic": True}
    data["top"] = 5
    return data


RECORD = _rich_record()
# every field but "schema", which decides first whether the data is a record at all
RECORD_FIELDS = [
    f for f in _fields(RECORD, RankingRecord, (), "record", {}) if f[0] and f[0] != ("schema",)
]


def test_the_rich_record_loads_and_has_every_kind_of_field() -> None:
    record = RankingRecord.from_dict(copy.deepcopy(RECORD))
    assert record.municipality is not None
    assert record.municipality.synthetic is True
    kinds = set().union(*(k for _, _, k in RECORD_FIELDS))
    assert kinds == {"null", "bool", "int", "decimal", "text", "list", "object"}


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_record_field_of_a_wrong_kind_is_refused_at_its_path(data: st.DataObject) -> None:
    path, where, kinds = data.draw(st.sampled_from(RECORD_FIELDS), label="field")
    wrong = data.draw(st.sampled_from(sorted(set(VALUES) - kinds)), label="kind")
    value = data.draw(VALUES[wrong], label="value")
    with pytest.raises(InputError) as info:
        RankingRecord.from_dict(_replaced(RECORD, path, value))
    assert where in [p.where for p in info.value.problems], str(info.value)
    assert PERSONAL not in str(info.value)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("municipality", "synthetic"), "maybe", "expected true or false, got text"),
        (("municipality", "synthetic"), 1, "expected true or false, got a whole number"),
        (("eligible",), 3.7, "expected a whole number, got a number with a decimal point"),
        (("eligible",), 3.0, "expected a whole number, got a number with a decimal point"),
        (("eligible",), True, "expected a whole number, got true or false"),
        (("vacancy", "monthly_rent_dkk"), True, "expected a number, got true or false"),
        (("library_version",), 1, "expected text, got a whole number"),
        (("ranked",), "abc", "expected a list, got text"),
        (("on",), 20240501, "expected a date YYYY-MM-DD, got a whole number"),
        (("on",), "20240501", "expected a date YYYY-MM-DD, got text in another form"),
        (("vacancy",), ["D1"], "expected an object, got a list"),
    ],
)
def test_a_record_says_what_was_expected_and_what_kind_was_found(
    path: tuple[str, ...], value: Any, message: str
) -> None:
    with pytest.raises(InputError) as info:
        RankingRecord.from_dict(_replaced(RECORD, path, value))
    (problem,) = info.value.problems
    assert (problem.where, problem.what) == ("record." + ".".join(path), message)


def test_an_applicant_id_of_another_kind_is_not_shown() -> None:
    with pytest.raises(InputError) as info:
        RankingRecord.from_dict(_replaced(RECORD, ("ranked", 0), 1234567890))
    assert [str(p) for p in info.value.problems] == [
        "record.ranked[0]: expected text, got a whole number"
    ]
    assert "1234567890" not in str(info.value)


# ---------------------------------------------------------------------------
# ledger events

OLD_LEDGER = DATA / "ledger-before-colour-rules.jsonl"
DOCS = [decode(line) for line in OLD_LEDGER.read_bytes().splitlines()]
EVENT_FIELDS = [
    (i, key, kinds)
    for i, doc in enumerate(DOCS)
    for (key,), _, kinds in (
        f for f in _fields(doc, EVENT_CLASSES[doc["type"]], (), "", {}) if len(f[0]) == 1
    )
    if set(VALUES) - kinds
]


def test_the_ledger_of_release_0_1_reads_as_before() -> None:
    events = [structure(doc) for doc in DOCS]
    assert {type(e).__name__ for e in events} >= {"LedgerCreated", "VacancyRecorded"}
    assert {DOCS[i]["type"] for i, _, _ in EVENT_FIELDS} == {
        "created", "rules", "vacancy", "answer", "void"
    }


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_an_event_field_of_a_wrong_kind_is_refused_naming_it(data: st.DataObject) -> None:
    index, key, kinds = data.draw(st.sampled_from(EVENT_FIELDS), label="field")
    wrong = data.draw(st.sampled_from(sorted(set(VALUES) - kinds)), label="kind")
    value = data.draw(VALUES[wrong], label="value")
    with pytest.raises(LedgerCorruptError) as info:
        structure({**DOCS[index], key: value})
    assert f"): {key}: " in str(info.value) or f"; {key}: " in str(info.value), str(info.value)
    assert PERSONAL not in str(info.value)


def test_a_dwelling_list_given_as_text_is_refused_not_split_into_characters() -> None:
    created = DOCS[0]
    registry = {**created["registry"], "A": {"family": "A1", "bab": []}}
    with pytest.raises(LedgerCorruptError, match=r"registry\['A'\]\['family'\]: expected a list"):
        structure({**created, "registry": registry})


# ---------------------------------------------------------------------------
# parameter files


def test_a_parameter_file_flag_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        '[meta]\ntitle = "t"\nversion = "1"\n\n'
        '[a.b]\ndescription = "d"\nunit = "count"\n\n'
        '[[a.b.values]]\nfrom = 2020-01-01\nvalue = 1\nreference = "r"\nassumed = "yes"\n\n'
        '[[a.b.values]]\nfrom = "2021-01-01"\nvalue = 2\nreference = 7\nended = 1\n',
        encoding="utf-8",
    )
    with pytest.raises(ParameterFileError) as info:
        load_parameters(path)
    found = {p.where.partition(": ")[2]: p.what for p in info.value.problems}
    assert found == {
        "a.b.values[0].assumed": "expected true or false, got 'yes'",
        "a.b.values[1].reference": "expected text, got 7",
        "a.b.values[1].ended": "expected true or false, got 1",
    }
