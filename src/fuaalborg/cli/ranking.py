"""``fuaalborg rank``: rank a waiting list for one vacant dwelling; the demo's ranking section."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from fuaalborg._types import LANGUAGES, SUBROUTES, TURNS, Language, Subroute, Turn
from fuaalborg.cli._common import (
    DATE,
    Amount,
    CommandError,
    check_not_an_input,
    check_output,
    counted,
    danish_option,
    dayfirst_option,
    echo_notice,
    file_is_danish,
    folder_list_inputs,
    in_options,
    load_municipality,
    municipality_option,
    number,
    output_option,
    write_ranking,
)
from fuaalborg.danish import value as danish_value
from fuaalborg.errors import FuaalborgError, Remedy, Wording, format_problems
from fuaalborg.formatting import kroner
from fuaalborg.model import COLOURS
from fuaalborg.municipality import Municipality
from fuaalborg.specs import DWELLING_KINDS, DWELLING_TYPES, DWELLINGS

__all__ = ["COMMANDS", "rank_command", "ranking_section"]


# -- fuaalborg rank --------------------------------------------------------------------


def _remedy(remedy: Remedy) -> str | None:
    """The rank command's wording of a ranking's remedies (:class:`RankingContextError`)."""
    if remedy.key == "give_context":
        given = " and ".join(_OPTIONS[a] for a in remedy.arguments if a != "municipality")
        return f"give {given} (or --municipality), or use --route ordinary"
    return {
        "choose_route": "use --route flexible or --route ordinary",
        "give_agreement": "use --route ordinary, or give the --colour and --organisation of a "
                          "department whose organisation has an agreement",
        "department_facts": "give its --colour and --organisation, or use --route ordinary",
        "give_colour": "give --colour (or --municipality)",
    }.get(remedy.key)


#: The rank command's options, by the argument of :func:`fuaalborg.rank` they give.
_OPTIONS = {"colour": "--colour", "organisation_cvr": "--organisation",
            "municipality": "--municipality", "route": "--route", "turn": "--turn",
            "top": "--top", "on": "--on"}
#: The rank command's words for the ranking's arguments and remedies.
_WORDS = Wording(names=_OPTIONS, remedies=_remedy)


class _RankCommand(click.Command):
    """The rank command, whose help lists the columns a red department's letting reads."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from fuaalborg import danish
        from fuaalborg.letting.ranking import mandatory_columns

        columns = mandatory_columns()
        with formatter.section("Red departments"):
            formatter.write_text(
                "A red department is let flexibly by law (almenboligloven § 60, stk. 4) with "
                "the employment-or-education criterion, which reads these waiting-list "
                "columns (Danish headers in brackets); a missing column is an error:"
            )
            formatter.write_text(
                ", ".join(f"{c} ({danish.header(c)})" for c in columns)
            )
            formatter.write_text(
                "An organisation's agreement may read more (see `fuaalborg plugins`)."
            )


#: The dwellings table's floor column: ``--floor`` takes the values it does.
_FLOOR = DWELLINGS.column("floor")
#: The dwelling types ``--dwelling-type`` takes, in English and Danish, and their meaning.
_DWELLING_TYPE_WORDS: dict[str, str] = {
    **{t: t for t in DWELLING_TYPES},
    **{danish_value(t): t for t in DWELLING_TYPES},
}


def _dwelling_facts(
    municipality: Municipality, dwelling: str, department: str | None
) -> dict[str, Any]:
    """A dwelling's department, rooms, rent, floor, dwelling type and lift, from its table."""
    import pandas as pd

    table = municipality.dwellings
    found = table.loc[table["dwelling_id"].astype(str) == dwelling]
    if found.empty:
        raise CommandError(
            f"dwelling {dwelling!r} is not in the dwellings table of {municipality.name}"
            + (
                ""
                if not municipality.synthetic
                else " (the bundled example; give --municipality DIR)"
            )
        )
    row = found.iloc[0]
    if department is not None and str(row["department_id"]) != department:
        raise CommandError(
            f"dwelling {dwelling!r} belongs to department {row['department_id']}, not to "
            f"--department {department}"
        )
    facts: dict[str, Any] = {"department_id": str(row["department_id"])}
    for name in ("rooms", "monthly_rent_dkk", "floor", "dwelling_type", "lift", "kind"):
        value = row.get(name)
        if value is None or pd.isna(value):
            continue
        if name in ("rooms", "floor"):
            value = int(value)
        elif name == "monthly_rent_dkk":
            value = float(value)
        elif name == "lift":
            value = bool(value)
        facts[name] = value
    missing = [n for n in ("rooms", "monthly_rent_dkk") if n not in facts]
    if missing:
        options = {"rooms": "--rooms", "monthly_rent_dkk": "--rent"}
        raise CommandError(
            f"dwelling {dwelling!r} has no {' or '.join(missing)} in the dwellings table: "
            f"give {' and '.join(options[m] for m in missing)}"
        )
    return facts


#: The rank command's options for the facts of a dwelling it compares with the table.
_FACT_OPTIONS = {"rooms": "--rooms", "monthly_rent_dkk": "--rent", "floor": "--floor",
                 "dwelling_type": "--dwelling-type", "lift": "--lift/--no-lift"}


def _table_remedy(remedy: Remedy) -> str | None:
    """The rank command's wording of a fact given otherwise than the dwellings table."""
    if remedy.key != "from_table":
        return None
    given = " and ".join(_FACT_OPTIONS[a] for a in remedy.arguments)
    return f"leave {given} out, or, where the dwelling changed, correct the dwellings table"


#: The rank command's words for the facts of a dwelling and their remedy.
_TABLE_WORDS = Wording(names=_FACT_OPTIONS, remedies=_table_remedy)


def _check_table(
    given: dict[str, Any], table: dict[str, Any], dwelling: str, day: dt.date,
    municipality: Municipality, lang: Language | None = None,
) -> None:
    """Compare the facts given as options with the dwellings table's, as the ledger does.

    One check, :func:`fuaalborg.letting.vacancy.compare_with_table`: --rooms,
    --floor, --dwelling-type and --lift that differ from the table's are errors
    (the same value is fine); --rent that differs is a warning, and an error if by
    more than the plausible factor (``bounds.rent_ratio_to_table``, the
    municipality's own). Every error is reported at once, each under its option (the
    problems' places, mapped to options: no text is rewritten), a dwelling type in
    ``lang``, the language the user gave it in.
    """
    from fuaalborg.letting.vacancy import compare_with_table

    found = compare_with_table(dwelling, given, table, day, municipality.parameters,
                               lang=lang)
    if found.problems:
        raise CommandError(format_problems(
            found.problems, head=f"--dwelling {dwelling}: {{count}}", words=_TABLE_WORDS))
    if found.rent is not None:
        click.echo(f"warning: --rent {found.rent.describe(dwelling)}; ranked with the rent given",
                   err=True)


def _header(ranking: Any, municipality: Municipality | None) -> str:
    """One line: the vacancy, the date, the route, the turn and how many are eligible."""
    vacancy = ranking.vacancy
    colour = f" ({ranking.colour})" if ranking.colour else ""
    turn = f"{ranking.turn} turn" if ranking.turn else "internal and external lists as one"
    rooms = counted(vacancy.rooms, "room")
    where = f"{municipality.name}, department" if municipality is not None else "Department"
    dwelling = f", dwelling {vacancy.dwelling_id}" if vacancy.dwelling_id else ""
    facts = "".join(
        f", {text}" for text in (
            None if vacancy.floor is None else
            "ground floor" if vacancy.floor == 0 else f"floor {vacancy.floor}",
            None if vacancy.dwelling_type is None else f"{vacancy.dwelling_type} dwelling",
            None if vacancy.lift is None else "lift" if vacancy.lift else "no lift",
        ) if text
    )
    return (
        f"{where} {vacancy.department_id}{colour}{dwelling}, {rooms}{facts}, "
        f"{kroner(vacancy.monthly_rent_dkk)} kr./month, {ranking.on.isoformat()}: "
        f"{ranking.route} letting, {turn}; {number(ranking.eligible_count)} eligible, "
        f"{counted(len(ranking.ineligible), 'row')} not eligible"
    )


def _echo_header(ranking: Any, municipality: Municipality | None) -> None:
    """Print the header line, then each of the ranking's notices (in the words of
    :meth:`~fuaalborg.letting.notices.Notice.text`, as its decision record keeps them) and,
    for a BAB dwelling, why it is ranked at all (its route basis)."""
    click.echo(_header(ranking, municipality))
    for notice in ranking.notices:
        click.echo(f"note: {notice}")
    _, found, rest = ranking.basis.route_basis.partition("BAB dwelling in a")
    if found:
        click.echo(f"note: {found}{rest}")


def _show_frame(frame: Any) -> list[str]:
    shown = frame.copy()
    shown["seniority_date"] = shown["seniority_date"].dt.strftime("%Y-%m-%d")
    shown["group"] = shown["group"].astype("string").fillna("–")
    shown["criteria_met"] = shown["criteria_met"].astype("string").replace("", "–")
    text: str = shown.to_string(index=False)
    return text.splitlines()


@click.command("rank", cls=_RankCommand)
@click.argument("applicants", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--dwelling", "dwelling",
              help="The vacant dwelling's id: its department, rooms, rent, floor, dwelling type "
              "and lift come from the municipality's dwellings table (--municipality DIR); "
              "--rooms, --floor, --dwelling-type and --lift, if given, must be the table's, and "
              "--rent within its plausible factor of the table's.")
@click.option("--department", "department",
              help="The vacancy's department id (required without --dwelling).")
@click.option("--rooms", type=Amount("bounds.rooms", whole=True, minimum=1),
              help="Habitable rooms (a whole number >= 1; required without --dwelling).")
@click.option("--rent", type=Amount("bounds.monthly_rent_dkk"),
              help="Monthly rent in kr. (>= 0, at most the plausible bound "
              "bounds.monthly_rent_dkk; a decimal comma is fine: 4550,5, and thousands dots "
              "with it: 6.100,50; required without --dwelling).")
@click.option("--floor", type=click.IntRange(int(_FLOOR.min or 0), int(_FLOOR.max or 0)),
              metavar="INTEGER",
              help="The floor the dwelling is on (0 = ground floor, -1 = basement).")
@click.option("--dwelling-type", "dwelling_type", type=click.Choice(list(_DWELLING_TYPE_WORDS)),
              help="What the dwelling is suited or earmarked for (English or Danish).")
@click.option("--lift/--no-lift", "lift", default=None,
              help="Whether the dwelling can be reached by lift.")
@click.option("--kind", type=click.Choice(DWELLING_KINDS),
              help="The dwelling's kind (default: from the dwellings table with --dwelling). A "
              "BAB dwelling goes to the municipal referral as the letting ledger routes it, "
              "except where the referral does not place households (red): then it is ranked.")
@click.option("--on", "on", type=DATE, help="Date the dwelling is let on (default: today).")
@click.option("--route", type=click.Choice(SUBROUTES),
              help="Letting route (default: from the department's colour and agreement).")
@click.option("--turn", type=click.Choice(TURNS),
              help="Whose turn (default: both lists as one).")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Show or write only the first N (default: 25 shown, all written).")
@output_option(".csv", ".xlsx",
               help="Write the ranking (.csv or .xlsx) and, beside it, its decision record "
               "(ranked.csv: ranked.record.json).")
@click.option("--include-ineligible", is_flag=True,
              help="Also write the applicants who cannot be offered the dwelling, with their "
              "reason codes and the reasons in words.")
@danish_option
@click.option("--explain", "explain", metavar="APPLICANT_ID",
              help="Explain the position of this applicant id (by position: the explanation "
              "and any error name no applicant id).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of --explain and of the reasons written (default: da for "
              "--explain; the file's language for the reasons).")
@click.option("--colour", type=click.Choice(list(reversed(COLOURS))),
              help="The department's colour (default: the municipality's placement).")
@click.option("--organisation", "organisation",
              help="CVR of the department's organisation (default: the municipality's).")
@municipality_option
@dayfirst_option
def rank_command(
    applicants: str | None,
    dwelling: str | None,
    department: str | None,
    rooms: int | None,
    rent: float | None,
    floor: int | None,
    dwelling_type: str | None,
    lift: bool | None,
    kind: str | None,
    on: dt.date | None,
    route: Subroute | None,
    turn: Turn | None,
    top: int | None,
    output: str | None,
    include_ineligible: bool,
    danish: bool | None,
    explain: str | None,
    lang: Language | None,
    colour: str | None,
    organisation: str | None,
    municipality_dir: str | None,
    dayfirst: bool,
) -> None:
    """Rank a waiting list for one vacancy (default: the municipality's waiting list).

    The vacancy is --dwelling ID of the municipality's dwellings table, or
    --department, --rooms and --rent (with --floor, --dwelling-type and --lift
    where an agreement's group applies only to some dwellings). APPLICANTS is a
    CSV (plain or Danish) or xlsx file with at least applicant_id, list,
    seniority_date and household_size (or their Danish headers ansøger_id,
    liste, anciennitetsdato, husstandsstørrelse). Departments, organisations and
    colours come from --municipality (default: the bundled example) unless
    --route ordinary, or --colour and --organisation, are given.
    """
    from fuaalborg.criteria.vocabulary import APPLICANTS
    from fuaalborg.letting.ranking import rank
    from fuaalborg.letting.vacancy import Vacancy
    from fuaalborg.municipality import check_beside
    from fuaalborg.tables import (
        NotChecked,
        TableValidationError,
        combine_errors,
        read_table,
    )

    check_output(output)
    check_not_an_input(output, [
        ("the waiting list given as APPLICANTS", applicants),
        *folder_list_inputs(municipality_dir),
    ])
    if include_ineligible and not output:
        raise CommandError("--include-ineligible needs -o FILE: the rows are written there")
    if dwelling is None:
        missing = [f"--{n}" for n, v in (("department", department), ("rooms", rooms),
                                          ("rent", rent)) if v is None]
        if missing:
            raise CommandError(
                f"give the vacant dwelling: --dwelling ID (with --municipality DIR), or "
                f"{', '.join(missing)}"
            )
    day = on or dt.date.today()
    municipality: Municipality | None = None
    needs_town = applicants is None or municipality_dir is not None or dwelling is not None or (
        route != "ordinary" and (colour is None or organisation is None)
    )
    # every table that can be checked on its own is checked before any problem is reported
    errors: list[TableValidationError] = []
    not_checked: tuple[NotChecked, ...] = ()
    if needs_town:
        try:
            municipality = load_municipality(municipality_dir, dayfirst=dayfirst,
                                     applicants=APPLICANTS if applicants is None else None)
        except TableValidationError as exc:
            errors.append(exc)
        else:
            echo_notice(
                municipality,
                "its waiting list, departments and colours" if applicants is None
                else "its departments and colours",
            )
    if applicants is not None:
        # checked as the folder's own tables are, also where they failed: against the
        # bounds of its settings (those of the municipality loaded, or, where the folder
        # failed, as far as they can be read; never the bundled example's in their place),
        # a file that cannot be read a problem among the folder's
        checked = check_beside(
            applicants, APPLICANTS, municipality_dir if municipality is None else None,
            dayfirst=dayfirst,
            parameters=municipality.parameters if municipality is not None else None,
        )
        if checked.problems:
            errors.append(checked.error())
        else:  # its checks not made are named with the folder's problems
            not_checked = checked.not_checked
        frame = checked.frame
        in_danish = file_is_danish(applicants, APPLICANTS)
    if errors:
        raise combine_errors(errors, not_checked=not_checked)
    facts: dict[str, Any] = {"department_id": department, "rooms": rooms,
                             "monthly_rent_dkk": rent, "floor": floor,
                             "dwelling_type": _DWELLING_TYPE_WORDS.get(dwelling_type or ""),
                             "lift": lift, "kind": kind}
    if dwelling is not None:
        assert municipality is not None
        table_facts = _dwelling_facts(municipality, dwelling, department)
        # a dwelling type is named as the user gave it: in Danish where it was typed so
        typed_danish = dwelling_type is not None and dwelling_type not in DWELLING_TYPES
        _check_table(facts, table_facts, dwelling, day, municipality,
                     lang="da" if typed_danish else None)
        facts = {**table_facts, **{k: v for k, v in facts.items() if v is not None}}
    if applicants is None:
        assert municipality is not None
        if municipality.applicants.empty:
            raise CommandError(
                f"{municipality.name} has no waiting list (applicants); give APPLICANTS"
            )
        frame = read_table(municipality.applicants, APPLICANTS, parameters=municipality.parameters)
        in_danish = municipality.danish
    vacancy = Vacancy(vacant_on=day, dwelling_id=dwelling, **facts)
    try:
        ranking = rank(
            frame, vacancy, on=day, route=route, turn=turn,
            top=top, municipality=municipality, colour=colour, organisation_cvr=organisation,
        )
    except FuaalborgError as exc:
        raise in_options(exc, _WORDS) from None
    # the explanation first: an id not on the list is an error before anything is written
    # (and, as every error, names no applicant id: the library's message does not echo it)
    explained: list[str] = []
    if explain is not None:
        words: Language = lang or "da"
        explained = ["", ranking.explain(explain, lang=words),
                     *(n.about_applicant(words) for n in ranking.notices_about(explain))]
    if output:
        record = write_ranking(
            ranking, output, include_ineligible=include_ineligible,
            danish=in_danish if danish is None else danish, lang=lang,
        )
        _echo_header(ranking, municipality)
        written = len(ranking.frame) + (len(ranking.ineligible) if include_ineligible else 0)
        noted = len(ranking.record.notices or ())
        kept = f" (with {counted(noted, 'notice')})" if noted else ""
        click.echo(
            f"wrote {counted(written, 'row')} to {Path(output).name} "
            f"and the record{kept} to {record.name}"
        )
    elif ranking.eligible_count == 0:
        _echo_header(ranking, municipality)
        click.echo("no eligible applicants")
    else:
        _echo_header(ranking, municipality)
        shown = ranking.table().head(25 if top is None else top)
        click.echo("\n".join(_show_frame(shown)))
        if len(shown) < ranking.eligible_count:
            click.echo(
                f"… the first {number(len(shown))} of {number(ranking.eligible_count)}; "
                "--top N shows more, -o FILE writes them all"
            )
    for line in explained:  # the position, then what each notice means for the applicant
        click.echo(line)


def ranking_section(municipality: Municipality, on: dt.date) -> list[str]:
    """Rank one vacancy in a red and one in a green department, with explanations."""
    from fuaalborg.errors import FuaalborgError
    from fuaalborg.letting.ranking import rank
    from fuaalborg.letting.vacancy import Vacancy
    from fuaalborg.monitoring.calendar import placement_on

    lines = ["Waiting-list ranking (ventelisteudlejning)"]
    applicants = municipality.applicants
    if applicants.empty:
        return [*lines, "  no waiting list in this municipality"]
    day = on  # applicants registered after the day are listed as not yet on the list
    try:
        colours = placement_on(municipality, day).colours()
    except FuaalborgError as exc:
        return [*lines, f"  no placement on {day.isoformat()}: {exc}"]
    for wanted in ("red", "green"):
        deps = sorted(colours[colours == wanted].index)
        if not deps:
            lines.append(f"  no {wanted} department on {day.isoformat()}")
            continue
        vacancy = Vacancy(str(deps[0]), rooms=3, monthly_rent_dkk=6500, vacant_on=day)
        try:
            ranking = rank(applicants, vacancy, municipality=municipality, top=5)
        except FuaalborgError as exc:
            lines.append(f"  {wanted} department {deps[0]}: {exc}".splitlines()[0])
            continue
        lines.append(
            f"  {wanted} department {vacancy.department_id}, 3 rooms, 6.500 kr./month, "
            f"{day.isoformat()}: {ranking.route} letting, "
            f"{number(ranking.eligible_count)} eligible, "
            f"{counted(len(ranking.ineligible), 'row')} not eligible"
        )
        lines.extend("    " + line for line in _show_frame(ranking.table()))
        if len(ranking.frame):
            second = ranking.frame["applicant_id"].iloc[min(1, len(ranking.frame) - 1)]
            lines.append("    Explanation (da):")
            lines.extend("      " + t for t in ranking.explain(second, lang="da").splitlines())
    lines.extend(_condition_section(municipality, applicants, colours, day))
    return lines


def _condition_section(municipality: Municipality, applicants: Any, colours: Any,
                       day: dt.date) -> list[str]:
    """One ranking where a group applies only to some dwellings (a dwelling condition).

    The agreement is an illustration of a bilag 4 rule, invented for the tour: it is
    no organisation's agreement.
    """
    import warnings

    import attrs

    from fuaalborg.criteria import DwellingCondition, LettingAgreement, PriorityGroup
    from fuaalborg.errors import AssumedTermsWarning, FuaalborgError
    from fuaalborg.letting.ranking import rank
    from fuaalborg.letting.vacancy import Vacancy

    dwellings = municipality.dwellings
    if not {"floor", "lift"} <= set(dwellings.columns):
        return ["  (the dwellings table states no floors: no dwelling condition to show)"]
    green = set(colours[colours == "green"].index.astype(str))
    family = dwellings.loc[dwellings["department_id"].astype(str).isin(green)
                           & (dwellings["kind"] == "family")]
    ground = family.loc[(family["floor"] == 0) & family["rooms"].between(2, 3)]
    stairs = family.loc[(family["floor"] > 0) & (family["lift"] == False)]  # noqa: E712
    both = ground.loc[ground["department_id"].isin(set(stairs["department_id"]))]
    if both.empty:
        return ["  (no green department with dwellings both on the ground floor and up "
                "stairs to show)"]
    row = both.sort_values("dwelling_id").iloc[0]
    dep = str(row["department_id"])
    cvr = str(municipality.departments.set_index("department_id").at[dep, "organisation_cvr"])
    agreement = LettingAgreement(
        organisation_cvr=cvr, departments=(dep,),
        groups=(PriorityGroup("senior", applies_to=[DwellingCondition(floor=0),
                                                     DwellingCondition(lift=True)]),),
        flexible_share=1.0, legal_basis="Almenboligloven § 60, stk. 1 (illustration)",
        valid_from=dt.date(2000, 1, 1), valid_until=None,
    )
    vacancy = Vacancy(dep, rooms=int(row["rooms"]), monthly_rent_dkk=float(row["monthly_rent_dkk"]),
                      vacant_on=day, dwelling_id=str(row["dwelling_id"]), floor=0,
                      lift=None if pd_isna(row["lift"]) else bool(row["lift"]),
                      dwelling_type=None if pd_isna(row["dwelling_type"])
                      else str(row["dwelling_type"]))
    lines = [
        "  A dwelling condition (illustration, no organisation's agreement): seniors first to "
        "dwellings on the ground floor or reached by lift",
    ]
    upstairs = stairs.loc[stairs["department_id"] == dep]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AssumedTermsWarning)
        try:
            ranking = rank(applicants, vacancy, agreement=agreement, route="flexible", top=5,
                           municipality=municipality)
            other = None
            if not upstairs.empty:
                high = upstairs.sort_values("dwelling_id").iloc[0]
                other = rank(
                    applicants,
                    attrs.evolve(
                        vacancy,
                        dwelling_id=high["dwelling_id"],
                        floor=int(high["floor"]),
                        lift=False,
                    ),
                    agreement=agreement,
                    route="flexible",
                    top=1,
                    municipality=municipality,
                )
        except FuaalborgError as exc:
            return [*lines, f"    not available: {exc}".splitlines()[0]]
    lines.append(
        f"  green department {dep}, dwelling {vacancy.dwelling_id}, ground floor, "
        f"{counted(vacancy.rooms, 'room')}, {kroner(vacancy.monthly_rent_dkk)} kr./month: "
        f"{number(ranking.eligible_count)} eligible"
    )
    lines.extend("    " + line for line in _show_frame(ranking.table()))
    for shown in (ranking, other):
        if shown is None or not len(shown.frame):
            continue
        first = shown.frame["applicant_id"].iloc[0]
        lines.extend(f"    {shown.vacancy.dwelling_id}: {t.strip()}"
                     for t in shown.explain(first, lang="en").splitlines()
                     if "applies only to dwellings" in t)
    notes = dict.fromkeys(str(w.message) for w in caught
                          if issubclass(w.category, AssumedTermsWarning))
    lines.extend(f"  note: {n}" for n in notes)
    return lines


def pd_isna(value: Any) -> bool:
    """Whether a table cell is missing (pandas' NA, NaN or None)."""
    import pandas as pd

    return bool(pd.isna(value))


COMMANDS = [rank_command]
