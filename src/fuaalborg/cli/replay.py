"""``fuaalborg replay``: rank a waiting list again under a decision record's terms, and compare.

A caseworker who must show, months later, why an applicant was offered a
dwelling (or check a complaint) gives the decision record that ``fuaalborg rank
-o`` wrote (``ranked.record.json``) and the waiting list the decision ranked;
:func:`fuaalborg.replay` ranks it again under the recorded vacancy, date, route,
turn, colour, agreement terms, parameter values and sanity bounds, and the
command says whether the decision replays and, if not, where it differs — in
positions and counts, never an applicant's id.

The header names the municipality the record was made for. A municipality's
folder (``--municipality DIR``) that is another municipality than the record's
is refused rather than replayed: its list would not be the one the decision
ranked, and the replay would report every position as changed — a verdict of
"does not replay" that says nothing about the decision. Where the municipality
was renamed, its waiting-list file given as ``WAITING_LIST`` is replayed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fuaalborg._types import LANGUAGES, Language
from fuaalborg.cli._common import (
    EXAMPLE,
    CommandError,
    check_not_an_input,
    check_output,
    danish_option,
    dayfirst_option,
    file_is_danish,
    folder_list_inputs,
    folder_lists,
    municipality_option,
    number,
    output_option,
    write_ranking,
)
from fuaalborg.errors import FuaalborgError

if TYPE_CHECKING:
    from fuaalborg.letting.replay import Replay, ReplayDifference
    from fuaalborg.parameters import ParameterSet
    from fuaalborg.records import MunicipalityRef, RankingRecord
    from fuaalborg.tables import TableSpec

__all__ = ["COMMANDS", "DIFFERS", "replay_command"]

#: The exit status when the decision does not replay: the order, the waiting list or the
#: notices differ (0: it replays; 1: bad input; 2: the command line was wrong).
DIFFERS = 3

#: Runs of positions listed before the rest are counted.
_SHOWN_RUNS = 6


# -- reading ---------------------------------------------------------------------------


def _read_record(path: str) -> RankingRecord:
    """The decision record in ``path``; a file that is no record says what it is not."""
    from fuaalborg.letting.replay import recorded_parameters
    from fuaalborg.records import SCHEMA, RankingRecord

    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CommandError(f"{name} is not a decision record: it is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{name} is not a decision record: not JSON ({exc.msg}, line {exc.lineno}); "
            "`fuaalborg rank -o ranked.csv` writes the record as ranked.record.json"
        ) from None
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema != SCHEMA:
        found = (
            f"its schema is {schema!r}" if isinstance(schema, str)
            else "it states no schema" if isinstance(data, dict)
            else "it is JSON, but not an object with a schema"
        )
        raise CommandError(
            f"{name} is not a decision record this release reads: {found}, expected "
            f"{SCHEMA!r} (the record `fuaalborg rank -o` writes beside its table)"
        )
    try:
        record = RankingRecord.from_dict(data)
        recorded_parameters(record)  # every recorded value of its parameter's unit
    except FuaalborgError as exc:
        raise CommandError(f"{name}: {exc}") from None
    return record


def _folder_list(folder: str) -> Path:
    """The waiting-list file of a municipality's folder (``venteliste.csv`` or its kin)."""
    from fuaalborg.municipality import TABLE_FILES

    stems = TABLE_FILES["applicants"]
    found = folder_lists(folder)
    if len(found) > 1:
        raise CommandError(
            f"{Path(folder).name} has {', '.join(p.name for p in found)}: they are all its "
            "waiting list; keep one, or give WAITING_LIST"
        )
    if not found:
        raise CommandError(
            f"{Path(folder).name} has no waiting list ({stems[1]}.csv or {stems[0]}.csv, or "
            ".xlsx): give WAITING_LIST, the list the decision ranked"
        )
    return found[0]


def _folder_municipality(folder: str) -> MunicipalityRef:
    """The municipality of a folder as its ``municipality.toml`` names it (as ``rank`` does)."""
    from fuaalborg.municipality import UNNAMED, MunicipalitySettings
    from fuaalborg.records import MunicipalityRef

    settings = MunicipalitySettings.of_folder(folder)
    if settings is None:  # named as Municipality.from_folder names it
        return MunicipalityRef(UNNAMED)
    return MunicipalityRef(settings.name, settings.code)


def _check_municipality(record: RankingRecord, folder: str) -> MunicipalityRef:
    """The folder's municipality; refused where the record names another one.

    The municipality code decides where both state one, else the name
    (:meth:`MunicipalityRef.differs_from <fuaalborg.records.MunicipalityRef.differs_from>`).
    A record that names no municipality is replayed on any folder's list.
    """
    found = _folder_municipality(folder)
    made = record.municipality
    if made is None or not made.differs_from(found):
        return found
    if made.synthetic:
        which, remedy = (
            f"the {EXAMPLE}, {made.name}",
            "replay it without --municipality (on the example's waiting list)",
        )
    else:
        which, remedy = made.describe("en"), "give the folder of the municipality it names"
        if made.code is None or found.code is None:  # the names differ: perhaps a new name
            remedy += (
                ", or, where it is the same municipality under another name, its "
                "waiting-list file as WAITING_LIST"
            )
    from fuaalborg.municipality import SETTINGS_FILE

    found_text = found.describe("en") if (Path(folder) / SETTINGS_FILE).exists() \
        else f"an {found.name} (no {SETTINGS_FILE})"
    raise CommandError(
        f"the record was made for {which}; {Path(folder).name} is {found_text}, "
        f"another municipality, whose waiting list is not the one the decision ranked: "
        f"{remedy}"
    )


def _folder_bounds(record: RankingRecord, folder: str | None) -> ParameterSet | None:
    """The folder's sanity bounds, for a record that states none (``None``: not used).

    A record written before records kept its bounds was checked against those in
    force where it was made: a municipality's own ``[bounds]`` where it was made
    on its folder. Settings with problems are refused with them (never the
    bundled bounds in their place); a folder without ``municipality.toml`` has
    the bundled bounds.
    """
    if record.bounds is not None or folder is None:
        return None
    from fuaalborg.municipality import MunicipalitySettings
    from fuaalborg.parameters import load_parameters

    settings = MunicipalitySettings.of_folder(folder)  # raises with the settings' problems
    return load_parameters() if settings is None else settings.parameters


def _bounds_line(folder: str, lang: Language) -> str:
    """That the list was checked against the folder's bounds: the record states none."""
    from fuaalborg.municipality import SETTINGS_FILE

    name = Path(folder).name
    if not (Path(folder) / SETTINGS_FILE).exists():
        return _words(
            lang,
            "The record states no sanity bounds (written before records kept them): the "
            f"waiting list was checked against the bundled bounds ({name} has no "
            f"{SETTINGS_FILE}).",
            "Afgørelsesgrundlaget angiver ingen rimelighedsgrænser (skrevet, før "
            "afgørelsesgrundlag gemte dem): ventelisten blev kontrolleret mod de medfølgende "
            f"grænser ({name} har ingen {SETTINGS_FILE}).",
        )
    return _words(
        lang,
        "The record states no sanity bounds (written before records kept them): the "
        f"waiting list was checked against {name}'s {SETTINGS_FILE} [bounds], the bundled "
        "bounds where it sets none.",
        "Afgørelsesgrundlaget angiver ingen rimelighedsgrænser (skrevet, før "
        f"afgørelsesgrundlag gemte dem): ventelisten blev kontrolleret mod {name}s "
        f"{SETTINGS_FILE} [bounds], de medfølgende grænser, hvor den ikke angiver nogen.",
    )


def _names_example(made: MunicipalityRef) -> bool:
    """Whether a record's municipality is the bundled example (synthetic, and its name)."""
    from fuaalborg.examples import NAME

    return made.synthetic and made.name == NAME


def _example_replay(record: RankingRecord, spec: TableSpec, parameters: ParameterSet,
                    ) -> tuple[Replay, str, str]:
    """The bundled example's waiting list, where the record was made on it — else an error.

    A record that names its municipality is replayed on the example's list only
    when it names the example; its list is then replayed whatever it holds today,
    and a list other than the one ranked (an earlier release's example, or one
    generated from another seed) is a difference the replay reports. A record
    that names none (written before records named it) is replayed on it only when
    its fingerprint of the waiting list is the example list's. Any other record
    is refused: replaying it on the example's list would show differences that
    are no one's.
    """
    from fuaalborg import examples, replay

    made = record.municipality
    if made is not None and not _names_example(made):
        raise CommandError(
            "give the waiting list the decision ranked: WAITING_LIST, or --municipality DIR "
            f"for the municipality's own; the record was not made on the {EXAMPLE}'s waiting "
            f"list but for {made.describe('en')}, and the example's list is used only for "
            "records made on it"
        )
    example = examples.load()
    if made is not None:
        frame = spec.validate(example.applicants, parameters=parameters)
        return replay(record, frame), example.name, (
            f"Using the {EXAMPLE}: {example.name}, invented data — the record was made for "
            "it; its waiting list. Give WAITING_LIST or --municipality DIR for your own."
        )
    refused = CommandError(
        "give the waiting list the decision ranked: WAITING_LIST, or --municipality DIR "
        f"for the municipality's own; the record was not made on the {EXAMPLE}'s waiting "
        "list (its fingerprint of the list differs), which is used only for records made on it"
    )
    # the example's list is checked and ranked as any other: an error of the record or of
    # the list is reported as itself; only another list (its fingerprint) is refused here
    frame = spec.validate(example.applicants, parameters=parameters)
    result = replay(record, frame)
    ranked = result.ranking.record.input
    if (ranked.sha256, ranked.rows) != (record.input.sha256, record.input.rows):
        raise refused
    return result, example.name, (
        f"Using the {EXAMPLE}: {example.name}, invented data — its waiting list, the one "
        "this record was made on. Give WAITING_LIST or --municipality DIR for your own."
    )


# -- wording ---------------------------------------------------------------------------


def _words(lang: Language, en: str, da: str) -> str:
    return da if lang == "da" else en


def _municipality_text(record: RankingRecord, lang: Language) -> str:
    """The municipality the record was made for, in ``lang`` (or that the record names none)."""
    made = record.municipality
    if made is None:
        return _words(lang, "Municipality: not recorded.", "Kommune: ikke registreret.")
    example = _words(lang, ", the bundled example (invented data)",
                     ", det medfølgende eksempel (opdigtede data)") if made.synthetic else ""
    return _words(lang, "Municipality: ", "Kommune: ") + f"{made.describe(lang)}{example}."


def _header(record: RankingRecord, source: str, lang: Language) -> str:
    """What was decided: the vacancy, the date, the route and turn, the municipality, and
    the list replayed."""
    from fuaalborg import danish
    from fuaalborg.formatting import kroner

    vacancy = record.vacancy
    word = (lambda v: danish.value(v)) if lang == "da" else (lambda v: v)
    colour = f" ({word(record.colour)})" if record.colour else ""
    dwelling = (
        _words(lang, f", dwelling {vacancy.dwelling_id}", f", bolig {vacancy.dwelling_id}")
        if vacancy.dwelling_id else ""
    )
    turn = (
        _words(lang, f"{record.turn} turn", f"{word(record.turn)} tur") if record.turn
        else _words(lang, "internal and external lists as one",
                    "intern og ekstern liste som én")
    )
    rooms = vacancy.rooms
    return _words(
        lang,
        f"Decision of {record.on.isoformat()}: department {vacancy.department_id}{colour}"
        f"{dwelling}, {rooms} room{'' if rooms == 1 else 's'}, "
        f"{kroner(vacancy.monthly_rent_dkk)} kr./month; {record.route} letting, {turn}. "
        f"{_municipality_text(record, lang)} Waiting list: {source}",
        f"Afgørelse af {record.on.isoformat()}: afdeling {vacancy.department_id}{colour}"
        f"{dwelling}, {rooms} rum, {kroner(vacancy.monthly_rent_dkk)} kr./md.; "
        f"{word(record.route)} udlejning, {turn}. {_municipality_text(record, lang)} "
        f"Venteliste: {source}",
    )


def _positions(values: list[int], lang: Language) -> str:
    """Positions as runs: ``2–13``, ``2, 5–7 and 9`` (at most a few runs, then a count)."""
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    shown = [str(a) if a == b else f"{a}–{b}" for a, b in runs[:_SHOWN_RUNS]]
    rest = sum(b - a + 1 for a, b in runs[_SHOWN_RUNS:])
    if rest:
        shown.append(_words(lang, f"{number(rest)} more", f"{number(rest)} til"))
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} {_words(lang, 'and', 'og')} {shown[-1]}"


def _order_lines(order: ReplayDifference, lang: Language) -> list[str]:
    """Where the order differs, by position and count: never whose position it is."""
    moved = list(order.positions or ())
    first = moved[0]
    several = len(moved) > 1
    then, now = number(order.ranked_then or 0), number(order.ranked_now or 0)
    lines = [_words(
        lang,
        f"the order differs from position {first} on: position{'s' if several else ''} "
        f"{_positions(moved, lang)} hold{'' if several else 's'} another applicant "
        f"({then} ranked then, {now} now)",
        f"rækkefølgen er en anden fra plads {first}: på plads {_positions(moved, lang)} står "
        f"en anden ansøger ({then} placeret dengang, {now} nu)",
    )]
    if first == 1:
        lines.append(_words(
            lang, "the first place (the applicant offered the dwelling first) holds "
            "another applicant now",
            "førstepladsen (den ansøger, boligen tilbydes først) har nu en anden ansøger"))
    elif first == 2:
        lines.append(_words(
            lang, "the first place (the applicant offered the dwelling first) is unchanged",
            "førstepladsen (den ansøger, boligen tilbydes først) er uændret"))
    else:
        lines.append(_words(
            lang, f"places 1–{first - 1} are unchanged, the first place (the applicant "
            "offered the dwelling first) included",
            f"plads 1–{first - 1} er uændrede, også førstepladsen (den ansøger, boligen "
            "tilbydes først)"))
    gone, new = order.no_longer_ranked or 0, order.newly_ranked or 0
    if gone or new:
        lines.append(_words(
            lang,
            f"{number(gone)} ranked then {'is' if gone == 1 else 'are'} not ranked now; "
            f"{number(new)} ranked now {'was' if new == 1 else 'were'} not ranked then",
            f"{number(gone)} placeret dengang er ikke placeret nu; {number(new)} placeret nu "
            "var ikke placeret dengang",
        ))
    return lines


def _list_line(record: RankingRecord, changed: ReplayDifference, lang: Language,
               headers: Mapping[str, str]) -> str:
    """The waiting list is another: its rows then and now, and the columns fingerprinted.

    The columns are named as the list's file names them (``headers``: canonical
    name -> the file's header, :func:`fuaalborg.tables.file_headers`), whatever
    language the lines are in: they are to be found in that file.
    """
    columns = ", ".join(headers.get(c, c) for c in record.input.columns)
    then, now = number(changed.rows_then or 0), number(changed.rows_now or 0)
    return _words(
        lang,
        f"the waiting list is not the one the decision ranked: {then} rows then, {now} now, "
        f"and its fingerprint over the columns the ranking read ({columns}) differs",
        f"ventelisten er ikke den, afgørelsen rangerede: {then} rækker dengang, {now} nu, og "
        f"dens fingeraftryk over de kolonner, rangeringen læste ({columns}), er et andet",
    )


def _report(record: RankingRecord, result: Replay, lang: Language,
            headers: Mapping[str, str] | None = None) -> list[str]:
    """The verdict and every difference, in ``lang``: each read from its facts, by kind.

    ``headers`` name the waiting list's columns as its file does (default: canonically).
    """
    from fuaalborg.letting.replay import DIFFERENCE_KINDS

    new = result.ranking.record
    found: list[str] = []
    since: list[str] = []
    # said in the order of the kinds (the list, the order, the notices; then plug-ins, the
    # library, parameters), whatever order they were found in
    for difference in sorted(result.found, key=lambda d: DIFFERENCE_KINDS.index(d.kind)):
        if difference.kind == "waiting_list":
            found.append(_list_line(record, difference, lang, headers or {}))
        elif difference.kind == "order":
            found.extend(_order_lines(difference, lang))
        elif difference.decides:  # the notices: in the library's words
            found.append(difference.describe(lang))
        else:  # changed since the decision: rules, plug-ins, the library
            since.append(difference.describe(lang))
    lines: list[str] = []
    topped = record.top is not None and len(new.ranked) < new.eligible
    first, første = ("first ", "første ") if topped else ("", "")
    if result.matches:
        lines.append(_words(
            lang,
            f"The decision replays: the same waiting list, the same {first}"
            f"{number(len(new.ranked))} applicants ranked in the same order "
            f"({number(new.eligible)} eligible, "
            f"{number(new.ineligible)} not eligible), the same notices.",
            f"Afgørelsen kan genskabes: samme venteliste, samme {første}"
            f"{number(len(new.ranked))} ansøgere i samme rækkefølge "
            f"({number(new.eligible)} kan komme i betragtning, "
            f"{number(new.ineligible)} kan ikke), samme bemærkninger.",
        ))
    else:
        lines.append(_words(
            lang, "The decision does NOT replay under its recorded terms:",
            "Afgørelsen kan IKKE genskabes på de registrerede vilkår:",
        ))
        lines.extend(f"  - {line}" for line in found)
        if new.eligible != record.eligible or new.ineligible != record.ineligible:
            lines.append(_words(
                lang,
                f"  - {number(record.eligible)} eligible and {number(record.ineligible)} not "
                f"eligible then, {number(new.eligible)} and {number(new.ineligible)} now",
                f"  - {number(record.eligible)} kunne komme i betragtning og "
                f"{number(record.ineligible)} ikke dengang, {number(new.eligible)} og "
                f"{number(new.ineligible)} nu",
            ))
    if since:
        lines.append(_words(
            lang,
            "Changed since the decision (the replay used the recorded values; in the "
            "library's words):",
            "Ændret siden afgørelsen (genskabelsen brugte de registrerede værdier; i "
            "bibliotekets ordlyd):",
        ))
        lines.extend(f"  - {line}" for line in since)
    return lines


def _explain_lines(record: RankingRecord, result: Replay, applicant: str,
                   lang: Language) -> list[str]:
    """Where the applicant the user named stood then and stands now, and why.

    The id is not repeated (as ``rank --explain``). An applicant ranked at the
    decision who is not on the waiting list now (a complaint after the list moved
    on) is said to be so, and explained only where on the list now; an id in
    neither the record's ranking nor the list is refused.
    """
    from fuaalborg.letting.ranking import ApplicantNotFoundError

    def place(ranked: tuple[str, ...]) -> str:
        if applicant in ranked:
            return _words(lang, f"position {ranked.index(applicant) + 1}",
                          f"plads {ranked.index(applicant) + 1}")
        return _words(lang, "not ranked", "ikke placeret")

    why: list[str] = []
    try:
        why.append(result.ranking.explain(applicant, lang=lang))
    except ApplicantNotFoundError:
        if applicant not in record.ranked:
            raise CommandError(
                "--explain: the applicant id asked for is neither ranked in the decision "
                "record nor on the waiting list replayed"
            ) from None
        now = _words(lang, "not on the waiting list now", "ikke på ventelisten nu")
    else:
        why.extend(n.about_applicant(lang) for n in result.ranking.notices_about(applicant))
        now = _words(lang, f"{place(result.ranking.record.ranked)} now",
                     f"{place(result.ranking.record.ranked)} nu")
    return ["", _words(
        lang,
        f"The applicant asked about: {place(record.ranked)} at the decision, {now}.",
        f"Ansøgeren, der er spurgt om: {place(record.ranked)} ved afgørelsen, {now}.",
    ), *why]


# -- the command -----------------------------------------------------------------------


@click.command("replay")
@click.argument("record_file", metavar="RECORD", type=click.Path(exists=True, dir_okay=False))
@click.argument("waiting_list", metavar="[WAITING_LIST]", required=False,
                type=click.Path(exists=True, dir_okay=False))
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the output and of --explain (default: the waiting list's: "
              "da for a Danish file, else en).")
@click.option("--explain", "explain",
              help="Also say where this applicant id stood then and stands now, and why.")
@output_option(".csv", ".xlsx",
               help="Write the ranking made again (.csv or .xlsx) and, beside it, its "
               "decision record (replayed.csv: replayed.record.json), as rank -o does.")
@click.option("--include-ineligible", is_flag=True,
              help="Also write the applicants who cannot be offered the dwelling (with -o).")
@danish_option
@municipality_option(
    help="The folder of the municipality whose waiting list to replay (its venteliste.csv "
    "or applicants.csv); refused when it is another municipality than the record's. For a "
    "record that states no sanity bounds (written before records kept them), the list is "
    "checked against the folder's municipality.toml [bounds]. Without it and WAITING_LIST, "
    "only a record made on the bundled example is replayed, on the example's list.",
    folder_alias=False,
)
@dayfirst_option
def replay_command(
    record_file: str,
    waiting_list: str | None,
    lang: Language | None,
    explain: str | None,
    output: str | None,
    include_ineligible: bool,
    danish: bool | None,
    municipality_dir: str | None,
    dayfirst: bool,
) -> None:
    """Rank a waiting list again under a decision record's terms and say what differs.

    RECORD is the decision record `fuaalborg rank -o ranked.csv` wrote beside
    its table (ranked.record.json). WAITING_LIST is the list the decision
    ranked (CSV, plain or Danish, or xlsx; English or Danish headers); without
    it, the waiting list of --municipality DIR, which is refused when it is
    another municipality than the one the record names (its municipality code,
    else its name, differs). The bundled example's list is used only for a
    record made for the example (the record says so; a record that names no
    municipality: its fingerprint of the list), never for another
    municipality's. The recorded vacancy, date, route, turn, colour,
    agreement terms, parameter values and sanity bounds are used, not
    today's. Differences are named by position and count, never by applicant.

    \b
    Exit status:
      0  the decision replays: the same list, order and notices
      1  bad input: a file that is no decision record, a waiting list with
         problems, an output that would overwrite an input
      2  the command line was wrong
      3  the decision does not replay: the order, the waiting list or the
         notices differ
    """
    from fuaalborg.criteria.vocabulary import APPLICANTS
    from fuaalborg.letting.replay import recorded_parameters, replay
    from fuaalborg.tables import file_headers, read_table

    check_output(output)
    check_not_an_input(output, [
        ("the decision record given as RECORD", record_file),
        ("the waiting list given as WAITING_LIST", waiting_list),
        *folder_list_inputs(municipality_dir),
    ])
    if include_ineligible and not output:
        raise CommandError("--include-ineligible needs -o FILE: the rows are written there")
    if waiting_list is not None and municipality_dir is not None:
        raise CommandError(
            "give the waiting list once: WAITING_LIST, or --municipality DIR for the "
            "municipality's own (replay needs no other table of it)"
        )
    record = _read_record(record_file)
    # read as fuaalborg.replay ranks it: a check of a value's content added since the
    # decision must not keep it from being shown again; types, dates, lists, duplicates
    # and the recorded sanity bounds are checked as always
    spec = APPLICANTS.without_value_checks()
    # the list is checked against the bounds the decision checked it against: those the
    # record states, else (a record written before records kept them) the folder's own
    folder_bounds = _folder_bounds(record, municipality_dir)
    parameters = recorded_parameters(record, bounds=folder_bounds)
    notice = None
    headers: dict[str, str] = {}
    if waiting_list is None and municipality_dir is None:
        result, source, notice = _example_replay(record, spec, parameters)
        in_danish = False
    else:
        folder = (
            None if municipality_dir is None else _check_municipality(record, municipality_dir)
        )
        path = Path(waiting_list) if waiting_list is not None else _folder_list(
            str(municipality_dir))
        frame = read_table(path, spec, dayfirst=dayfirst, parameters=parameters)
        headers = file_headers(frame)
        in_danish = file_is_danish(path, APPLICANTS)
        source = path.name if folder is None else f"{path.name} ({folder.name})"
        result = replay(record, frame, bounds=folder_bounds)
    words: Language = lang or ("da" if in_danish else "en")
    # an applicant id not on the list is an error before anything is said
    explained = _explain_lines(record, result, explain, words) if explain else []
    if notice:
        click.echo(notice)
    click.echo(_header(record, source, words))
    if folder_bounds is not None:
        click.echo(_bounds_line(str(municipality_dir), words))
    click.echo("\n".join(_report(record, result, words, headers)))
    if output:
        written = write_ranking(
            result.ranking, output, include_ineligible=include_ineligible,
            danish=in_danish if danish is None else danish, lang=lang,
        )
        click.echo(_words(
            words, f"wrote the ranking made again to {Path(output).name} and its record to "
            f"{written.name}",
            f"skrev rangeringen, som den er lavet igen, til {Path(output).name} og dens "
            f"afgørelsesgrundlag til {written.name}",
        ))
    if explained:
        click.echo("\n".join(explained))
    if not result.matches:
        raise SystemExit(DIFFERS)


COMMANDS = [replay_command]
