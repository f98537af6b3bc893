"""Plain-language explanations of a ranking position, in Danish and English.

Internal to :mod:`fuaalborg.letting.ranking` (see :meth:`Ranking.explain`). The
ranking hands over the facts an explanation needs — the ranking's basis and
terms (:class:`Terms`), the applicant's own rows (:class:`Row`) and where their
best row stands, with the sort-key parts of the applicant just above
(:class:`Standing`) — never protected data, nor any other applicant's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from fuaalborg import danish
from fuaalborg._types import Language
from fuaalborg.formatting import kroner
from fuaalborg.records import RankingBasis

if TYPE_CHECKING:
    from fuaalborg.letting._s51c import Rule

__all__ = ["Row", "Standing", "Terms", "explain", "reasons_text"]

#: (list, group, children, seniority days, applicant code): the parts of a sort key.
KeyParts = tuple[int, int, int, int, int]


@attrs.frozen
class Terms:
    """The facts of one ranking that every explanation of it reads."""

    basis: RankingBasis
    #: how many applicants can be offered the dwelling
    eligible: int
    max_persons_per_room: int
    #: almenboligloven § 51 c as it applies to the department, if it does
    s51c: Rule | None = None
    #: whether each priority group applies to the dwelling (``None``: all do)
    applies: tuple[bool, ...] | None = None
    #: whether the colour rules in force on the day (``colour_rules.mandatory_flexible``)
    #: make flexible letting mandatory in the department's colour
    mandatory_flexible: bool = False


@attrs.frozen
class Row:
    """One waiting-list row of the applicant: its list, and why it cannot be offered, if so."""

    list: str
    #: the reasons of :data:`~fuaalborg.letting.ranking.INELIGIBILITY_REASONS` that apply, in order
    reasons: tuple[str, ...]
    household_size: int
    min_rooms: int | None = None
    max_rent_dkk: float | None = None


@attrs.frozen
class Standing:
    """Where the applicant's best row stands, and the key of the applicant just above."""

    #: which of the applicant's rows stands (an index into the rows explained)
    row: int
    position: int
    key: KeyParts
    #: the key of the applicant just above (``None``: nobody stands ahead)
    above: KeyParts | None
    seniority: dt.date
    #: whether each priority group's criterion is met (``None``: not the flexible route)
    met: tuple[bool, ...] | None = None
    #: an internal move the agreement exempts (counts as group 1)
    exempt: bool = False
    #: whether the household has children, where families with children go first
    children: bool | None = None


_T: dict[str, dict[str, str]] = {
    "position": {
        "en": "Position {pos} of {total} eligible applicants for the dwelling in department "
        "{dep} ({rooms} rooms, {rent} kr. a month), {on}.",
        "da": "Nr. {pos} af {total} ansøgere der kan komme i betragtning til boligen i afdeling "
        "{dep} ({rooms} rum, {rent} kr. om måneden), {on}.",
    },
    "flexible": {
        "en": "The dwelling is let by flexible letting (almenboligloven § 60): applicants who "
        "meet the agreed criteria go ahead of the others, group 1 first; within a group, "
        "seniority decides.",
        "da": "Boligen udlejes efter fleksibel udlejning (almenboligloven § 60): ansøgere der "
        "opfylder de aftalte kriterier går forud for de andre, gruppe 1 først; inden for en "
        "gruppe afgør ancienniteten.",
    },
    "mandatory": {
        "en": "Flexible letting is mandatory because the department is {colour} "
        "(almenboligloven § 60, stk. 4).",
        "da": "Fleksibel udlejning er obligatorisk, fordi afdelingen er {colour} "
        "(almenboligloven § 60, stk. 4).",
    },
    "ordinary": {
        "en": "The dwelling is let by seniority (ordinary letting): the longest on the waiting "
        "list goes first.",
        "da": "Boligen udlejes efter anciennitet (almindelig udlejning): den der har stået "
        "længst på ventelisten, går først.",
    },
    "turn_internal": {
        "en": "It is the internal list's turn: applicants on the internal list go before the "
        "external list.",
        "da": "Det er den interne ventelistes tur: ansøgere på den interne venteliste går "
        "forud for den eksterne.",
    },
    "turn_external": {
        "en": "It is the external list's turn: only applicants on the external list take part.",
        "da": "Det er den eksterne ventelistes tur: kun ansøgere på den eksterne venteliste "
        "kommer i betragtning.",
    },
    "turn_none": {
        "en": "The internal and external lists compete as one list.",
        "da": "Den interne og den eksterne venteliste behandles som én liste.",
    },
    "list": {
        "en": "The applicant is on the {list} list.",
        "da": "Ansøgeren står på den {list} venteliste.",
    },
    "group": {
        "en": "The applicant meets »{title}« and is in priority group {group}.",
        "da": "Ansøgeren opfylder »{title}« og er i prioritetsgruppe {group}.",
    },
    "exempt": {
        "en": "The applicant already lives in the department and moves internally; the "
        "agreement exempts internal moves, so they count as priority group 1.",
        "da": "Ansøgeren bor allerede i afdelingen og flytter internt; aftalen undtager "
        "interne flytninger, så ansøgeren tæller som prioritetsgruppe 1.",
    },
    "no_group": {
        "en": "The applicant meets none of the criteria and comes after all priority groups, "
        "by seniority.",
        "da": "Ansøgeren opfylder ingen af kriterierne og kommer efter alle prioritetsgrupper, "
        "efter anciennitet.",
    },
    "also_met": {
        "en": "Also met: {titles}.",
        "da": "Opfylder også: {titles}.",
    },
    "not_met": {
        "en": "Not met: {titles}.",
        "da": "Opfylder ikke: {titles}.",
    },
    "children_yes": {
        "en": "Families with children go first for dwellings of {rooms} rooms or more; the "
        "applicant's household has children.",
        "da": "Familier med børn går forrest til boliger med {rooms} rum eller flere; "
        "ansøgerens husstand har børn.",
    },
    "children_no": {
        "en": "Families with children go first for dwellings of {rooms} rooms or more; the "
        "applicant's household has no children.",
        "da": "Familier med børn går forrest til boliger med {rooms} rum eller flere; "
        "ansøgerens husstand har ingen børn.",
    },
    "seniority": {
        "en": "Seniority date: {date}.",
        "da": "Anciennitet fra: {date}.",
    },
    "first": {
        "en": "No one stands ahead of the applicant.",
        "da": "Ingen står foran ansøgeren.",
    },
    "above": {
        "en": "The applicant at position {pos} stands ahead: {why}.",
        "da": "Ansøgeren på plads {pos} står foran: {why}.",
    },
    "why_list": {
        "en": "they are on the internal list, which goes first on this turn",
        "da": "vedkommende står på den interne venteliste, som går forud på denne tur",
    },
    "why_group": {
        "en": "they are in a higher priority group (group {a} against group {b})",
        "da": "vedkommende er i en højere prioritetsgruppe (gruppe {a} mod gruppe {b})",
    },
    "why_group_none": {
        "en": "they are in priority group {a}, and the applicant meets none of the criteria",
        "da": "vedkommende er i prioritetsgruppe {a}, og ansøgeren opfylder ingen af kriterierne",
    },
    "why_children": {
        "en": "they are a family with children",
        "da": "vedkommende er en familie med børn",
    },
    "why_seniority": {
        "en": "they have an earlier seniority date",
        "da": "vedkommende har ældre anciennitet",
    },
    "why_id": {
        "en": "they have the same seniority date and a lower applicant id, which decides ties",
        "da": "vedkommende har samme anciennitetsdato og et lavere ansøgernummer, som afgør "
        "ved lighed",
    },
    "other_row": {
        "en": "The applicant is also on the {list} list; the better of the two positions counts.",
        "da": "Ansøgeren står også på den {list} venteliste; den bedste af de to placeringer "
        "gælder.",
    },
    "other_row_out": {
        "en": "On the {list} list the applicant cannot be considered: {why}.",
        "da": "På den {list} venteliste kan ansøgeren ikke komme i betragtning: {why}.",
    },
    "ineligible": {
        "en": "The applicant ({list} list) cannot be offered the dwelling in department {dep} "
        "({rooms} rooms, {rent} kr. a month) on {on}: {why}.",
        "da": "Ansøgeren ({list} venteliste) kan ikke få tilbudt boligen i afdeling {dep} "
        "({rooms} rum, {rent} kr. om måneden) den {on}: {why}.",
    },
    "inactive": {
        "en": "the application is not active (passive)",
        "da": "ansøgningen er ikke aktiv (passiv)",
    },
    "household_too_large": {
        "en": "the organisation refuses a household of {size} persons for {rooms} rooms, more "
        "than {per} persons per room (udlejningsbekendtgørelsen § 26, a ground it may use)",
        "da": "boligorganisationen afviser en husstand på {size} personer til {rooms} rum, mere "
        "end {per} personer pr. rum (udlejningsbekendtgørelsens § 26, en afvisningsgrund den "
        "kan bruge)",
    },
    "fewer_rooms_than_wished": {
        "en": "the applicant wishes at least {want} rooms",
        "da": "ansøgeren ønsker mindst {want} rum",
    },
    "rent_above_wish": {
        "en": "the rent is above the applicant's limit of {limit} kr. a month",
        "da": "huslejen er over ansøgerens grænse på {limit} kr. om måneden",
    },
    "department_not_wished": {
        "en": "the applicant has not asked for this department",
        "da": "ansøgeren har ikke søgt denne afdeling",
    },
    "not_this_turn": {
        "en": "it is the external list's turn",
        "da": "det er den eksterne ventelistes tur",
    },
    "not_yet_on_list": {
        "en": "the applicant's seniority starts after this date: not yet on the list",
        "da": "ansøgerens anciennitet begynder efter denne dato: endnu ikke på ventelisten",
    },
    "s51c": {
        "en": "{provision} requires the organisation to refuse in an {area}: {title}",
        "da": "{provision} pålægger boligorganisationen at afvise i et {area}: {title}",
    },
    "and": {"en": " and ", "da": " og "},
    "internal": {"en": "internal", "da": "interne"},
    "external": {"en": "external", "da": "eksterne"},
}


def _title(basis: RankingBasis, index: int, lang: Language) -> str:
    crit = basis.criteria[index]
    return crit.title_da if lang == "da" and crit.title_da else crit.title


def _conditions(terms: Terms, lang: Language) -> list[str]:
    """A sentence for each group that applies only to certain dwellings."""
    from fuaalborg.criteria.conditions import explain_group

    basis = terms.basis
    texts = basis.agreement.applies_to if basis.agreement is not None else ()
    if not any(texts) or terms.applies is None:
        return []
    return [
        explain_group(j + 1, _title(basis, j, lang), text, basis.vacancy, terms.applies[j], lang)
        for j, text in enumerate(texts)
        if text
    ]


def reasons_text(terms: Terms, row: Row, lang: Language) -> str:
    """Why ``row`` cannot be offered the dwelling, in words."""
    texts = []
    for name in row.reasons:
        values: dict[str, object] = {}
        if name == "household_too_large":
            values = {
                "size": row.household_size,
                "rooms": terms.basis.vacancy.rooms,
                "per": terms.max_persons_per_room,
            }
        elif name == "fewer_rooms_than_wished":
            values = {"want": row.min_rooms}
        elif name == "rent_above_wish":
            values = {"limit": kroner(float(row.max_rent_dkk or 0), lang)}
        elif name == "s51c" and terms.s51c is not None:
            rule = terms.s51c
            values = {"provision": rule.provision, "area": rule.area_term,
                      "title": rule.title_da if lang == "da" else rule.title}
        texts.append(_T[name][lang].format(**values))
    return _T["and"][lang].join(texts)


def explain(
    terms: Terms, rows: Sequence[Row], standing: Standing | None, lang: Language
) -> str:
    """The explanation of the applicant whose waiting-list rows are ``rows``."""
    basis = terms.basis
    vac = basis.vacancy
    common = {
        "dep": vac.department_id,
        "rooms": vac.rooms,
        "rent": kroner(vac.monthly_rent_dkk, lang),
        "on": basis.on.isoformat(),
    }
    if standing is None:
        return "\n".join(
            _T["ineligible"][lang].format(
                list=_T[row.list][lang], why=reasons_text(terms, row, lang), **common
            )
            for row in rows
        )
    pos = standing.position
    lines = [_T["position"][lang].format(pos=pos, total=terms.eligible, **common)]
    if basis.route == "flexible":
        lines.append(_T["flexible"][lang])
        if terms.mandatory_flexible and basis.colour is not None:
            colour = danish.value_in(basis.colour, lang)
            lines.append(_T["mandatory"][lang].format(colour=colour))
    else:
        lines.append(_T["ordinary"][lang])
    lines.append(_T[f"turn_{basis.turn or 'none'}"][lang])
    if basis.turn is not None or len(rows) > 1:
        lines.append(_T["list"][lang].format(list=_T[rows[standing.row].list][lang]))
    g = len(basis.criteria)
    if basis.route == "flexible" and standing.met is not None:
        lines.extend(_conditions(terms, lang))
        met = [i for i in range(g) if standing.met[i]]
        unmet = [i for i in range(g) if not standing.met[i]]
        if standing.exempt:
            lines.append(_T["exempt"][lang])
            rest = met
        elif met:
            title = _title(basis, met[0], lang)
            lines.append(_T["group"][lang].format(title=title, group=met[0] + 1))
            rest = met[1:]
        else:
            lines.append(_T["no_group"][lang])
            rest = []
        if rest:
            lines.append(_T["also_met"][lang].format(
                titles=", ".join(f"»{_title(basis, i, lang)}«" for i in rest)))
        if unmet:
            lines.append(_T["not_met"][lang].format(
                titles=", ".join(f"»{_title(basis, i, lang)}«" for i in unmet)))
    if standing.children is not None and basis.agreement is not None:
        which = "children_yes" if standing.children else "children_no"
        lines.append(_T[which][lang].format(rooms=basis.agreement.children_first_for_rooms))
    lines.append(_T["seniority"][lang].format(date=standing.seniority.isoformat()))
    theirs = standing.above
    if theirs is None:
        lines.append(_T["first"][lang])
    else:
        mine = standing.key
        if theirs[0] != mine[0]:
            why = _T["why_list"][lang]
        elif theirs[1] != mine[1]:
            if mine[1] > g:
                why = _T["why_group_none"][lang].format(a=theirs[1])
            else:
                why = _T["why_group"][lang].format(a=theirs[1], b=mine[1])
        elif theirs[2] != mine[2]:
            why = _T["why_children"][lang]
        elif theirs[3] != mine[3]:
            why = _T["why_seniority"][lang]
        else:
            why = _T["why_id"][lang]
        lines.append(_T["above"][lang].format(pos=pos - 1, why=why))
    for i, other in enumerate(rows):
        if i == standing.row:
            continue
        name = _T[other.list][lang]
        if other.reasons:
            lines.append(_T["other_row_out"][lang].format(
                list=name, why=reasons_text(terms, other, lang)))
        else:
            lines.append(_T["other_row"][lang].format(list=name))
    return "\n".join(lines)
