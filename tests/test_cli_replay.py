"""``fuaalborg replay``: a decision record and the waiting list it ranked, ranked again.

A record written by ``fuaalborg rank -o`` on a municipality of one's own (the
guide's Danish-CSV Fjordby) replays with exit status 0; a changed waiting list
gives :data:`~fuaalborg.cli.replay.DIFFERS` and names positions, never an
applicant; a file that is no record, a record of an unknown schema and a waiting
list with problems are clear errors (status 1) that name no applicant.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import Result

import fuaalborg
from cli_support import run
from fuaalborg.cli.replay import DIFFERS
from fuaalborg.records import RankingRecord
from municipality_support import FJORDBY, set_cell

#: Fjordby's applicant ids (F0001…): none may appear in an output that names none.
_ID = re.compile(r"\bF\d{4}\b")


@pytest.fixture(scope="module")
def _decided_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fjordby copied, and a ranking made on it with ``rank -o``: once for the module."""
    made = tmp_path_factory.mktemp("decided")
    folder = Path(shutil.copytree(FJORDBY, made / "fjordby"))
    result = run("rank", "--municipality", folder, "--department", "D004", "--rooms", "2",
                 "--rent", "5200", "--on", "2024-05-01", "-o", made / "rangliste.csv")
    assert result.exit_code == 0, result.output
    return made


@pytest.fixture
def decided(_decided_once: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A test's own copy of Fjordby and of the record of the ranking made on it."""
    folder = Path(shutil.copytree(_decided_once / "fjordby", tmp_path / "fjordby"))
    for name in ("rangliste.csv", "rangliste.record.json"):
        shutil.copy2(_decided_once / name, tmp_path / name)
    return folder, tmp_path / "rangliste.record.json"


def _clean(result: Result) -> None:
    # an exception of the command's own ends in SystemExit (its exit status); any other is a
    # traceback a user would see (CliRunner keeps it in result.exception, not in the output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert not _ID.search(result.output), "an applicant id in the output"


def test_a_record_of_an_own_municipality_replays(decided: tuple[Path, Path]) -> None:
    folder, record = decided
    given = run("replay", record, folder / "venteliste.csv", "--lang", "en")
    assert given.exit_code == 0, given.output
    lines = given.output.splitlines()
    assert lines[0].startswith("Decision of 2024-05-01: department D004 (green), 2 rooms")
    assert lines[1].startswith("The decision replays: the same waiting list, the same 29 ")
    _clean(given)
    # the municipality's own waiting list; in Danish, as the list is
    own = run("replay", record, "--municipality", folder)
    assert own.exit_code == 0, own.output
    assert "Venteliste: venteliste.csv (Fjordby Kommune)" in own.output
    assert "Afgørelsen kan genskabes" in own.output
    assert "example" not in own.output


def test_a_changed_waiting_list_differs_by_position(decided: tuple[Path, Path]) -> None:
    folder, record = decided
    ranked = RankingRecord.from_json(record.read_text(encoding="utf-8")).ranked
    changed = folder / "venteliste.csv"
    row = int(ranked[1][1:])  # the second place's row (F0002 is row 2 of the file)
    set_cell(changed, row, "anciennitetsdato", "2015-09-23")
    result = run("replay", record, changed, "--lang", "en")
    assert result.exit_code == DIFFERS, result.output
    assert "The decision does NOT replay under its recorded terms:" in result.output
    assert "the order differs from position 2 on: positions 2–" in result.output
    assert "the first place (the applicant offered the dwelling first) is unchanged" in (
        result.output)
    assert "the waiting list is not the one the decision ranked: 40 rows then, 40 now" in (
        result.output)
    _clean(result)
    danish = run("replay", record, changed)
    assert danish.exit_code == DIFFERS
    assert "rækkefølgen er en anden fra plads 2" in danish.output
    _clean(danish)


def test_the_first_place_changing_is_said(decided: tuple[Path, Path]) -> None:
    folder, record = decided
    first = RankingRecord.from_json(record.read_text(encoding="utf-8")).ranked[0]
    set_cell(folder / "venteliste.csv", int(first[1:]), "anciennitetsdato", "2020-01-01")
    result = run("replay", record, "--municipality", folder, "--lang", "en")
    assert result.exit_code == DIFFERS
    assert "the first place (the applicant offered the dwelling first) holds another applicant" in (
        result.output)
    _clean(result)


def test_explain_says_where_the_applicant_stood_and_stands(decided: tuple[Path, Path]) -> None:
    folder, record = decided
    set_cell(folder / "venteliste.csv", 2, "anciennitetsdato", "2015-09-23")
    result = run("replay", record, "--municipality", folder, "--explain", "F0002", "--lang", "en")
    assert result.exit_code == DIFFERS
    assert "The applicant asked about: position 2 at the decision, position 13 now." in (
        result.output)
    assert "F0002" not in result.output  # the id asked about is not repeated, as rank's
    danish = run("replay", record, "--municipality", folder, "--explain", "F0002")
    assert "Ansøgeren, der er spurgt om: plads 2 ved afgørelsen, plads 13 nu." in danish.output
    # an id not on the list is refused before anything is said
    unknown = run("replay", record, "--municipality", folder, "--explain", "X9")
    assert unknown.exit_code == 1
    assert unknown.output.splitlines()[0].startswith("Error:")
    assert "X9" not in unknown.output


def test_output_writes_the_ranking_and_a_record_that_replays(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, record = decided
    out = tmp_path / "igen.csv"
    result = run("replay", record, "--municipality", folder, "-o", out)
    assert result.exit_code == 0, result.output
    assert "igen.record.json" in result.output
    table = pd.read_csv(out, sep=";", encoding="utf-8-sig")  # Danish, as the list was
    assert "placering" in table.columns
    assert len(table) == 29
    again = run("replay", tmp_path / "igen.record.json", folder / "venteliste.csv")
    assert again.exit_code == 0, again.output


def test_changes_since_the_decision_are_listed_and_do_not_fail(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, record = decided
    data = json.loads(record.read_text(encoding="utf-8"))
    data["library_version"] = "0.0.9"
    older = tmp_path / "older.record.json"
    older.write_text(json.dumps(data), encoding="utf-8")
    result = run("replay", older, "--municipality", folder, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "The decision replays" in result.output
    assert "Changed since the decision" in result.output
    assert "fuaalborg 0.0.9 at the decision" in result.output


def test_a_file_that_is_no_record_is_a_clear_error(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, record = decided
    waiting = folder / "venteliste.csv"
    data = json.loads(record.read_text(encoding="utf-8"))
    cases = {
        "csv": (waiting, "is not a decision record: not JSON"),
        "array": ("[1, 2]", "not an object with a schema"),
        "schema": ({**data, "schema": "fuaalborg.ranking-record/9"},
                   "its schema is 'fuaalborg.ranking-record/9', expected "
                   "'fuaalborg.ranking-record/1'"),
        "fields": ({**data, "on": "2024-13-01", "eligible": "many", "extra": 1},
                   "ranking record: 3 problems"),
    }
    for name, (content, said) in cases.items():
        if isinstance(content, Path):
            path = content
        else:
            path = tmp_path / f"{name}.json"
            text = content if isinstance(content, str) else json.dumps(content)
            path.write_text(text, encoding="utf-8")
        result = run("replay", path, waiting)
        assert result.exit_code == 1, (name, result.output)
        assert result.output.startswith("Error: "), name
        assert said in result.output, (name, result.output)
        _clean(result)


def test_a_waiting_list_with_problems_lists_them_all(decided: tuple[Path, Path]) -> None:
    folder, record = decided
    waiting = folder / "venteliste.csv"
    set_cell(waiting, 3, "husstandsstørrelse", "0")
    set_cell(waiting, 4, "anciennitetsdato", "2017-18-17")
    result = run("replay", record, waiting)
    assert result.exit_code == 1
    assert "venteliste.csv (table 'applicants'): 2 problems" in result.output
    assert "2017-18-17" not in result.output
    _clean(result)


def test_the_list_is_read_as_the_decision_read_it(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    """A check of a value's content added since (a CPR-shaped id) does not refuse an old list."""
    folder, record = decided
    frame = pd.read_csv(folder / "venteliste.csv", sep=";", encoding="utf-8-sig", dtype=str,
                        keep_default_na=False)
    frame["ansøger_id"] = [f"0101{90 + i % 10}-{1000 + i}" for i in range(len(frame))]
    old_list = tmp_path / "gammel.csv"
    frame.to_csv(old_list, sep=";", index=False, encoding="utf-8-sig")
    strict = run("rank", old_list, "--municipality", folder, "--department", "D004",
                 "--rooms", "2", "--rent", "5200", "--on", "2024-05-01")
    assert strict.exit_code == 1  # refused today
    assert "CPR" in strict.output
    # the record of a decision made on it before the check (as replay ranks it)
    made = fuaalborg.replay(RankingRecord.from_json(record.read_text(encoding="utf-8")),
                            fuaalborg.read_table(frame, _lenient_spec()))
    old_record = tmp_path / "gammel.record.json"
    old_record.write_text(made.ranking.record.to_json(), encoding="utf-8")
    result = run("replay", old_record, old_list)
    assert result.exit_code == 0, result.output
    assert not re.search(r"\d{6}-\d{4}", result.output)


def _lenient_spec() -> fuaalborg.TableSpec:
    from fuaalborg.criteria.vocabulary import APPLICANTS

    return APPLICANTS.without_value_checks()


def test_the_example_list_only_for_a_record_made_on_it(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    _, record = decided
    refused = run("replay", record)
    assert refused.exit_code == 1
    assert "the record was not made on the example municipality (synthetic)'s waiting list" in (
        refused.output)
    made = run("rank", "--department", "D001", "--rooms", "3", "--rent", "6500",
               "--on", "2024-05-01", "--top", "5", "-o", tmp_path / "eksempel.csv")
    assert made.exit_code == 0, made.output
    result = run("replay", tmp_path / "eksempel.record.json")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Using the example municipality (synthetic)")
    assert "the same first 5 applicants" in result.output


def test_the_waiting_list_is_given_once(decided: tuple[Path, Path]) -> None:
    folder, record = decided
    result = run("replay", record, folder / "venteliste.csv", "--municipality", folder)
    assert result.exit_code == 1
    assert "give the waiting list once" in result.output
    lacking = folder / "venteliste.csv"
    lacking.unlink()
    missing = run("replay", record, "--municipality", folder)
    assert missing.exit_code == 1
    assert "has no waiting list (venteliste.csv or applicants.csv, or .xlsx)" in missing.output


def test_changes_since_the_decision_are_worded_in_the_chosen_language(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, record = decided
    data = json.loads(record.read_text(encoding="utf-8"))
    data["library_version"] = "0.0.9"
    rooms = next(p for p in data["parameters"] if p["name"] == "letting.max_persons_per_room")
    rooms["reference"] = "BEK nr. 1 § 26 (then)"
    older = tmp_path / "older.record.json"
    older.write_text(json.dumps(data), encoding="utf-8")
    danish = run("replay", older, "--municipality", folder)  # a Danish list: Danish words
    assert danish.exit_code == 0, danish.output
    lines = danish.output.splitlines()
    assert lines[1].startswith("Afgørelsen kan genskabes")
    assert lines[2] == ("Ændret siden afgørelsen (genskabelsen brugte de registrerede "
                        "værdier; i bibliotekets ordlyd):")
    assert lines[3] == f"  - fuaalborg 0.0.9 ved afgørelsen, {fuaalborg.__version__} nu"
    assert lines[4].startswith("  - parameteren letting.max_persons_per_room den 2024-05-01: "
                               "2 (BEK nr. 1 § 26 (then)) ved afgørelsen, nu 2 (")
    assert len(lines) == 5
    english = run("replay", older, "--municipality", folder, "--lang", "en")
    assert english.exit_code == 0, english.output
    assert english.output.splitlines()[3:] == [
        f"  - fuaalborg 0.0.9 at the decision, {fuaalborg.__version__} now",
        "  - parameter letting.max_persons_per_room on 2024-05-01: 2 (BEK nr. 1 § 26 (then)) "
        f"at the decision, now 2 ({english.output.rsplit('now 2 (', 1)[1].rstrip()}",
    ]
    _clean(danish)
    _clean(english)


def test_the_command_reads_each_difference_by_its_kind_not_its_place(
    decided: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever order replay() lists its differences in, each is said where it belongs."""
    import attrs

    from fuaalborg.letting import replay as replaying

    folder, record = decided
    data = json.loads(record.read_text(encoding="utf-8"))
    data["library_version"] = "0.0.9"
    older = tmp_path / "older.record.json"
    older.write_text(json.dumps(data), encoding="utf-8")
    set_cell(folder / "venteliste.csv", 2, "anciennitetsdato", "2015-09-23")
    listed = run("replay", older, "--municipality", folder, "--lang", "en")
    assert listed.exit_code == DIFFERS
    real = replaying.replay

    def since_first(*args: object, **kwargs: object) -> replaying.Replay:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        return attrs.evolve(result, found=tuple(reversed(result.found)))

    monkeypatch.setattr(replaying, "replay", since_first)
    reversed_ = run("replay", older, "--municipality", folder, "--lang", "en")
    assert reversed_.exit_code == DIFFERS
    assert reversed_.output == listed.output
    lines = listed.output.splitlines()
    changed = lines.index("Changed since the decision (the replay used the recorded values; "
                          "in the library's words):")
    assert lines[changed + 1:] == [f"  - fuaalborg 0.0.9 at the decision, "
                                   f"{fuaalborg.__version__} now"]
    assert lines[2].startswith("  - the waiting list is not the one the decision ranked")
    assert lines[3].startswith("  - the order differs from position 2 on")


# -- the municipality the record names ---------------------------------------------------


def _settings(folder: Path, name: str, code: int | None) -> None:
    """Give a copied folder's municipality.toml another name and code (or none)."""
    path = folder / "municipality.toml"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith(("name =", "code ="))]
    head = [f'name = "{name}"'] + ([f"code = {code}"] if code is not None else [])
    path.write_text("\n".join(head + lines) + "\n", encoding="utf-8")


def test_the_header_names_the_municipality(decided: tuple[Path, Path], tmp_path: Path) -> None:
    folder, record = decided
    danish = run("replay", record, "--municipality", folder)
    assert danish.exit_code == 0, danish.output
    assert "udlejning, intern og ekstern liste som én. Kommune: Fjordby Kommune " \
        "(kommunekode 999). Venteliste: venteliste.csv (Fjordby Kommune)" in danish.output
    english = run("replay", record, folder / "venteliste.csv", "--lang", "en")
    assert "internal and external lists as one. Municipality: Fjordby Kommune " \
        "(municipality code 999). Waiting list: venteliste.csv" in english.output.splitlines()[0]
    # a record written before records named it says so
    data = json.loads(record.read_text(encoding="utf-8"))
    del data["municipality"]
    older = tmp_path / "older.record.json"
    older.write_text(json.dumps(data), encoding="utf-8")
    unnamed = run("replay", older, "--municipality", folder)
    assert unnamed.exit_code == 0, unnamed.output
    assert "Kommune: ikke registreret. Venteliste:" in unnamed.output
    assert "Municipality: not recorded. Waiting list:" in run(
        "replay", older, folder / "venteliste.csv", "--lang", "en").output


def test_another_municipality_s_folder_is_refused(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, record = decided
    other = Path(shutil.copytree(folder, tmp_path / "nabo"))
    _settings(other, "Nabokommune", 998)
    refused = run("replay", record, "--municipality", other)
    assert refused.exit_code == 1, refused.output
    assert refused.output.startswith(
        "Error: the record was made for Fjordby Kommune (municipality code 999); nabo is "
        "Nabokommune (municipality code 998), another municipality")
    assert "same municipality under another name" not in refused.output  # the codes differ
    _clean(refused)
    # another name, no code to tell: refused, with the way to replay a renamed one's list
    _settings(other, "Fjordby", None)
    unsure = run("replay", record, "--municipality", other)
    assert unsure.exit_code == 1, unsure.output
    assert "nabo is Fjordby, another municipality" in unsure.output
    assert "its waiting-list file as WAITING_LIST" in unsure.output
    named = run("replay", record, other / "venteliste.csv")
    assert named.exit_code == 0, named.output
    assert "Kommune: Fjordby Kommune (kommunekode 999). Venteliste: venteliste.csv\n" in (
        named.output)
    # the same code under another name is the same municipality
    _settings(other, "Fjordby", 999)
    renamed = run("replay", record, "--municipality", other)
    assert renamed.exit_code == 0, renamed.output
    assert "Kommune: Fjordby Kommune (kommunekode 999). Venteliste: venteliste.csv (Fjordby)" in (
        renamed.output)


def test_a_record_of_the_example_is_replayed_on_it_by_its_name(tmp_path: Path) -> None:
    made = run("rank", "--department", "D001", "--rooms", "3", "--rent", "6500",
               "--on", "2024-05-01", "--top", "5", "-o", tmp_path / "eksempel.csv")
    assert made.exit_code == 0, made.output
    path = tmp_path / "eksempel.record.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["municipality"] == {"name": fuaalborg.examples.NAME, "code": None,
                                    "synthetic": True}
    result = run("replay", path)
    assert result.exit_code == 0, result.output
    assert "Municipality: Eksempelkommune (syntetisk), the bundled example (invented data)." in (
        result.output)
    # made for the example on a list that is not today's example list (an earlier release's):
    # the example's list is replayed, and the list is said to differ — not refused
    data["input"]["sha256"] = "0" * 64
    earlier = tmp_path / "tidligere.record.json"
    earlier.write_text(json.dumps(data), encoding="utf-8")
    differs = run("replay", earlier)
    assert differs.exit_code == DIFFERS, differs.output
    assert differs.output.startswith("Using the example municipality (synthetic)")
    assert "the record was made for it; its waiting list" in differs.output
    assert "  - the waiting list is not the one the decision ranked: " in differs.output
    # never another municipality's folder for it
    refused = run("replay", path, "--municipality", FJORDBY)
    assert refused.exit_code == 1
    assert "the record was made for the example municipality (synthetic), Eksempelkommune " \
        "(syntetisk); fjordby is Fjordby Kommune (municipality code 999)" in refused.output
    assert "replay it without --municipality" in refused.output
    # a record that names no municipality: the fingerprint decides, as before
    del data["municipality"]
    data["input"]["sha256"] = json.loads(path.read_text(encoding="utf-8"))["input"]["sha256"]
    unnamed = tmp_path / "unavngivet.record.json"
    unnamed.write_text(json.dumps(data), encoding="utf-8")
    assert run("replay", unnamed).exit_code == 0
    data["input"]["sha256"] = "0" * 64
    unnamed.write_text(json.dumps(data), encoding="utf-8")
    fingerprinted = run("replay", unnamed)
    assert fingerprinted.exit_code == 1
    assert "(its fingerprint of the list differs)" in fingerprinted.output


def test_the_columns_are_named_as_the_list_s_file_names_them(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, record = decided
    set_cell(folder / "venteliste.csv", 2, "anciennitetsdato", "2015-09-23")
    columns = ("aktiv, ansøger_id, husstandsstørrelse, liste, højst_månedsleje_kr, mindst_rum, "
               "anciennitetsdato")
    danish = run("replay", record, "--municipality", folder)
    assert danish.exit_code == DIFFERS
    assert f"over de kolonner, rangeringen læste ({columns}), er et andet" in danish.output
    english = run("replay", record, "--municipality", folder, "--lang", "en")
    assert f"over the columns the ranking read ({columns}) differs" in english.output
    # a list with English headers: its columns by their English names, in Danish words too
    frame = pd.read_csv(folder / "venteliste.csv", sep=";", encoding="utf-8-sig", dtype=str,
                        keep_default_na=False)
    frame = frame.rename(columns={"ansøger_id": "applicant_id", "liste": "list",
                                  "anciennitetsdato": "seniority_date", "aktiv": "active",
                                  "husstandsstørrelse": "household_size"})
    frame = frame[["applicant_id", "list", "seniority_date", "active", "household_size"]]
    plain = tmp_path / "waiting.csv"
    frame.to_csv(plain, index=False)
    said = run("replay", record, plain, "--lang", "da")
    assert said.exit_code == DIFFERS, said.output
    assert ("rangeringen læste (active, applicant_id, household_size, list, max_rent_dkk, "
            "min_rooms, seniority_date), er et andet" in said.output)


def _numeric_parameter(data: dict[str, object]) -> int:
    """The index of a recorded parameter whose value is a number."""
    from fuaalborg.parameters import load_parameters

    bundled = load_parameters()
    uses = data["parameters"]
    assert isinstance(uses, list)
    return next(i for i, use in enumerate(uses)
                if bundled.parameter(use["name"]).unit in ("count", "years", "months"))


def test_a_recorded_value_not_of_its_unit_is_reported_not_a_traceback(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, record = decided
    data = json.loads(record.read_text(encoding="utf-8"))
    at = _numeric_parameter(data)
    data["parameters"][at]["value"] = "abc"
    data["bounds"][0]["value"] = "abc"
    data["bounds"][1]["value"] = "inf"
    damaged = tmp_path / "damaged.record.json"
    damaged.write_text(json.dumps(data), encoding="utf-8")
    result = run("replay", damaged, folder / "venteliste.csv")
    _clean(result)
    assert result.exit_code == 1, result.output
    assert "damaged.record.json: ranking record: 3 problems" in result.output
    assert f"record.parameters[{at}].value: not a number: expected a whole number" in (
        result.output)
    assert "record.bounds[0].value: not a number: expected" in result.output
    assert "record.bounds[1].value: not a finite number" in result.output
    assert "abc" not in result.output
    # the library refuses it the same way, before ranking
    from fuaalborg.errors import InputError

    with pytest.raises(InputError, match=r"record\.bounds\[0\]\.value"):
        fuaalborg.replay(RankingRecord.from_dict(data), pd.DataFrame())


def test_an_output_that_is_an_input_is_refused_before_any_work(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, record = decided
    keep = tmp_path / "keep.record.json"
    shutil.copy(record, keep)
    waiting = folder / "venteliste.csv"
    before = {p: p.read_bytes() for p in (keep, waiting)}
    cases = [
        (("replay", keep, waiting, "-o", tmp_path / "keep.csv"),
         "cannot write keep.csv: the record written beside it would overwrite "
         "keep.record.json, the decision record given as RECORD"),
        (("replay", keep, waiting, "-o", waiting),
         "would overwrite venteliste.csv, the waiting list given as WAITING_LIST"),
        (("replay", keep, "--municipality", folder, "-o", folder / "venteliste.csv"),
         "would overwrite venteliste.csv, the waiting list of fjordby"),
        (("rank", waiting, "--department", "D004", "--rooms", "2", "--rent", "5200",
          "--municipality", folder, "-o", waiting),
         "would overwrite venteliste.csv, the waiting list given as APPLICANTS"),
        (("rank", "--department", "D004", "--rooms", "2", "--rent", "5200",
          "--municipality", folder, "-o", folder / "venteliste.csv"),
         "would overwrite venteliste.csv, the waiting list of fjordby"),
    ]
    for args, said in cases:
        result = run(*args)
        _clean(result)
        assert result.exit_code == 1, (args, result.output)
        assert said in result.output, result.output
        assert result.output.startswith("Error: cannot write")
    assert {p: p.read_bytes() for p in before} == before
    # another name beside them is written
    fine = run("replay", keep, waiting, "-o", tmp_path / "again.csv")
    assert fine.exit_code == 0, fine.output
    assert keep.read_bytes() == before[keep]


def test_explain_an_applicant_ranked_then_but_no_longer_on_the_list(
    decided: tuple[Path, Path],
) -> None:
    folder, record = decided
    ranked = RankingRecord.from_json(record.read_text(encoding="utf-8")).ranked
    gone = ranked[3]
    waiting = folder / "venteliste.csv"
    frame = pd.read_csv(waiting, sep=";", encoding="utf-8-sig", dtype=str,
                        keep_default_na=False)
    frame[frame["ansøger_id"] != gone].to_csv(waiting, sep=";", index=False,
                                             encoding="utf-8-sig")
    result = run("replay", record, "--municipality", folder, "--explain", gone, "--lang", "en")
    _clean(result)
    assert result.exit_code == DIFFERS, result.output
    assert "The decision does NOT replay under its recorded terms:" in result.output
    assert ("The applicant asked about: position 4 at the decision, not on the waiting list "
            "now.") in result.output
    assert gone not in result.output
    danish = run("replay", record, "--municipality", folder, "--explain", gone)
    assert "Ansøgeren, der er spurgt om: plads 4 ved afgørelsen, ikke på ventelisten nu." in (
        danish.output)
    # an id neither ranked then nor on the list now is refused, unnamed
    unknown = run("replay", record, "--municipality", folder, "--explain", "F9999")
    assert unknown.exit_code == 1
    assert "neither ranked in the decision record nor on the waiting list" in unknown.output
    assert "F9999" not in unknown.output


def test_an_error_replaying_on_the_example_is_not_called_another_fingerprint(
    tmp_path: Path,
) -> None:
    made = run("rank", "--department", "D001", "--rooms", "3", "--rent", "6500",
               "--on", "2024-05-01", "-o", tmp_path / "eksempel.csv")
    assert made.exit_code == 0, made.output
    path = tmp_path / "eksempel.record.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["municipality"]  # the fingerprint decides
    household = next(i for i, b in enumerate(data["bounds"])
                     if b["name"] == "bounds.household_size")
    data["bounds"][household]["value"] = "1"  # the example's list has larger households
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run("replay", path)
    _clean(result)
    assert result.exit_code == 1, result.output
    assert "fingerprint" not in result.output
    assert "household" in result.output


def test_the_help_says_what_the_folder_is_for(decided: tuple[Path, Path]) -> None:
    folder, record = decided
    result = run("replay", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "The folder of the municipality whose waiting list to replay" in text
    assert "default: the bundled, synthetic example municipality" not in text
    # the deprecated alias of older commands is not taken by this one
    alias = run("replay", record, "--folder", folder)
    assert alias.exit_code == 2
    assert "No such option '--folder'" in alias.output


def test_a_folder_without_settings_is_called_an_unnamed_municipality(
    decided: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, record = decided
    other = Path(shutil.copytree(folder, tmp_path / "fy"))
    (other / "municipality.toml").unlink()
    refused = run("replay", record, "--municipality", other)
    assert refused.exit_code == 1, refused.output
    assert "fy is an unnamed municipality (no municipality.toml), another municipality" in (
        refused.output)
