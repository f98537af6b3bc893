"""Statutory limits on the municipality's referral: almenboligloven § 59, stk. 6–9.

**This module is statutory, and isolated on purpose.** The law bars the
municipal referral (kommunal boliganvisning) from giving a vacant family
dwelling in certain areas to a household where a member meets one of a list of
criteria: in vulnerable areas (udsatte boligområder, parallel societies and
transformation areas included: § 59, stk. 6) and in prevention areas
(forebyggelsesområder: § 59, stk. 7). One criterion (stk. 6, nr. 4) uses
citizenship of an EU/EEA country or Switzerland — the only place where the law
itself uses citizenship. These are limits on the *municipality's placement*,
not letting criteria: no criterion plug-in, the criteria firewall or the
ranking imports this module, and the household fields it reads are protected
for every criterion. Results name criteria and member numbers, never values.

Everything the law says is dated, cited parameter data (``referral.limits.*``):
which criteria each provision applies on a date, their periods, ages and
conditions, the benefits they name, and the words the law used for the areas.
The code only knows how to *test* a criterion (a release within a window and a
required action plan; a date within a window; citizenship; a flag; consecutive
months of any of some benefits). So on each date the check applies the text in
force then:

- **stk. 6** (from 2011; nr. 5–7 from 2018-12-01): release from prison *and* a
  required action plan (nr. 1), the same for a minor (nr. 2), an ended lease
  (nr. 3), citizenship (nr. 4), 6 months of the named benefits (nr. 5),
  disability pension (nr. 6), 6 months of unemployment or sickness benefit
  (nr. 7). Before 2018-12-01 it protected ghettoområder and § 51 b areas.
- **stk. 7** (from 2021-11-30): stk. 6, nr. 1–4; 6 months of selvforsørgelses- og
  hjemrejseydelse or overgangsydelse; 24 months of kontanthjælp — and, after the
  cash-benefit reform (lov nr. 1655/2024, read as from 2025-07-01), kontanthjælp
  under aktivloven § 16, stk. 2 (6 months) or stk. 1 (24 months).
- **stk. 7, 2. pkt. and stk. 8**: where the municipality's family dwellings in
  forebyggelse areas exceed 30 %, stk. 7 does not apply in the areas the
  municipality has excluded (``forebyggelse_share=``, ``excluded_areas=``).
- **stk. 9**: a blocked check names the duty to refer in the area anyway when the
  municipality finds no alternative outside it; ``no_alternative=True`` records
  that finding and allows the referral.

The agreement adds, as the library's reading, what the colour's
``colour_rules.referral_placement`` says (pass ``colour``): no placement in red
departments — BAB dwellings included, the decision the letting ledger's routing
shares — and the stk. 7 criteria in yellow departments too. Where the law bars
a household in a listed area and the municipality finds no alternative outside
the areas, stk. 9 obliges it to refer there: the agreement's exemption of the
department yields to that duty (an agreement cannot set aside the
municipality's statutory duty); the yellow restriction does not, as stk. 9
obliges referral in the listed areas only.

>>> import datetime as dt
>>> member = {"released_from_prison_on": None, "released_from_youth_institution_on": None,
...           "action_plan_required": False, "age": 34, "lease_terminated_on": None,
...           "eu_eea_swiss_citizen": True, "student": False, "cash_benefit_months": 7,
...           "education_benefit_months": 0, "self_support_benefit_months": 0,
...           "transition_benefit_months": 0, "disability_pension": False,
...           "unemployment_sickness_months": 0}
>>> check = check_referral([member], "A-1", dt.date(2024, 3, 1), designation="udsat")
>>> check.allowed, [b.criterion for b in check.blocks]
(False, ['stk6_nr5'])
>>> check_referral([member], "A-1", dt.date(2024, 3, 1), designation="forebyggelse").allowed
True
>>> check_referral([member], "A-1", dt.date(2024, 3, 1), designation="udsat",
...                no_alternative=True).allowed
True
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import pandas as pd

from fuaalborg._types import Language
from fuaalborg.colours import ReferralPlacement, placements
from fuaalborg.dates import as_date
from fuaalborg.errors import InputError, NotInForceError, Problem, ValidationError
from fuaalborg.monitoring.designations import designation_on as _area_designation
from fuaalborg.monitoring.designations import designations_in_force
from fuaalborg.municipality import Municipality
from fuaalborg.parameters import DatedValue, ParameterSet, load_parameters

__all__ = [
    "HOUSEHOLD_FIELDS",
    "TESTS",
    "ForebyggelseShare",
    "ReferralBlock",
    "ReferralCheck",
    "Stk7Exception",
    "check_referral",
    "designation_on",
    "forebyggelse_share",
]

#: Every household field a criterion may read, with the kind of value it holds.
#: What each field means (and which benefit it counts) is the dated parameter
#: ``referral.limits.fields``.
HOUSEHOLD_FIELDS: Mapping[str, str] = {
    "released_from_prison_on": "date",
    "released_from_youth_institution_on": "date",
    "action_plan_required": "boolean",
    "age": "years",
    "lease_terminated_on": "date",
    "eu_eea_swiss_citizen": "boolean",
    "student": "boolean",
    "cash_benefit_months": "months",
    "education_benefit_months": "months",
    "self_support_benefit_months": "months",
    "transition_benefit_months": "months",
    "cash_benefit_s16_1_months": "months",
    "cash_benefit_s16_2_months": "months",
    "disability_pension": "boolean",
    "unemployment_sickness_months": "months",
}

#: How a criterion is tested, by the ``test`` of its parameter.
TESTS: Mapping[str, str] = {
    "released_within": "a release date within the window (and, where the wording says so, an "
    "action plan required)",
    "minor_released_within": "the same, for a member younger than the age the wording names",
    "within": "a date within the window",
    "not_citizen": "not a citizen of an EU/EEA country or Switzerland, students excepted",
    "flag": "a true/false field is true",
    "months_at_least": "any of the fields counts at least the months the wording names",
}

_KINDS = {
    "date": "a date (YYYY-MM-DD) or empty",
    "boolean": "true or false",
    "years": "a whole number of years >= 0",
    "months": "a whole number of consecutive calendar months >= 0",
}
#: May be empty: it only matters for a member released within the window.
_OPTIONAL = frozenset({"action_plan_required"})
_OPERATORS: Mapping[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
}


# ---------------------------------------------------------------------------
# Results


@attrs.frozen
class ReferralBlock:
    """One criterion that blocks the referral, and which household members meet it (1-based).

    ``statutory`` is false for the agreement's own limits: a colour where the
    referral does not place (red), and the criteria the agreement applies in a
    restricted colour (yellow).
    """

    criterion: str
    provision: str
    title: str
    title_da: str
    members: tuple[int, ...]
    reference: str
    statutory: bool = True

    def describe(self, lang: Language = "da") -> str:
        """One line: the provision, the criterion's title and the members (by number)."""
        who = ", ".join(str(m) for m in self.members)
        if lang == "da":
            tail = f" (husstandsmedlem {who})" if who else ""
            return f"{self.provision}: {self.title_da}{tail}"
        tail = f" (household member {who})" if who else ""
        return f"{self.provision}: {self.title}{tail}"


@attrs.frozen
class ForebyggelseShare:
    """The municipality's family dwellings in forebyggelse areas, as a share of all of them.

    ``dwellings`` counts family and BAB dwellings of the departments in areas on
    the list in force (``list_date``) with a designation that § 59, stk. 7
    protects; ``total`` counts them in every department.
    """

    on: dt.date
    list_date: dt.date | None
    areas: tuple[str, ...]
    dwellings: int
    total: int

    @property
    def share_pct(self) -> float:
        """``dwellings`` as a percentage of ``total`` (0 when there are none)."""
        return 100.0 * self.dwellings / self.total if self.total else 0.0

    def describe(self) -> str:
        """One line with the share and its count."""
        listed = self.list_date.isoformat() if self.list_date else "none"
        return (
            f"{self.share_pct:.1f} % of the municipality's family dwellings lie in forebyggelse "
            f"areas ({self.dwellings} of {self.total}; list of {listed})"
        )


@attrs.frozen
class Stk7Exception:
    """How § 59, stk. 7, 2. pkt. and stk. 8 were assessed for one check.

    ``share_pct`` is the municipality's share of family dwellings in forebyggelse
    areas (``None`` when not known); ``excluded_from`` is the date from which the
    municipality's decision excludes the department's area (``None``: not
    excluded); ``lifted`` is true when stk. 7 does not apply.
    """

    provision: str
    threshold_pct: float
    operator: str
    share_pct: float | None
    share_basis: str
    area_id: str | None
    excluded_from: dt.date | None
    lifted: bool
    reference: str

    def describe(self, lang: Language = "da") -> str:
        """One line: the share against the threshold, the exclusion, and the result."""
        limit = f"{self.operator} {self.threshold_pct:g} %"
        da = lang == "da"
        if self.share_pct is None:
            share = "ukendt" if da else "not known"
        else:
            share = f"{self.share_pct:.1f} %".replace(".", "," if da else ".")
        if self.excluded_from is not None:
            excl = (f"kommunen har undtaget område {self.area_id} fra "
                    f"{self.excluded_from.isoformat()}" if da else
                    f"the municipality has excluded area {self.area_id} from "
                    f"{self.excluded_from.isoformat()}")
        else:
            excl = ("kommunen har ikke undtaget området" if da
                    else "the municipality has not excluded the area")
        if self.lifted:
            result = "stk. 7 gælder ikke her" if da else "stk. 7 does not apply here"
        elif self.excluded_from is not None and self.share_pct is None:
            result = ("stk. 7 gælder (andelen kendes ikke)" if da
                      else "stk. 7 applies (the share is not known)")
        elif self.excluded_from is not None:
            result = (f"stk. 7 gælder (undtagelsen kræver en andel {limit})" if da
                      else f"stk. 7 applies (the exception needs a share {limit})")
        else:
            result = "stk. 7 gælder" if da else "stk. 7 applies"
        if da:
            return (f"{self.provision}: andelen af kommunens familieboliger i "
                    f"forebyggelsesområder er {share}; {excl}: {result}")
        return (f"{self.provision}: the share of the municipality's family dwellings in "
                f"forebyggelse areas is {share}; {excl}: {result}")


@attrs.frozen
class ReferralCheck:
    """The result of :func:`check_referral`: allowed or not, and why.

    ``blocks`` lists every criterion met; with ``no_alternative`` the
    municipality has found no department outside the area (§ 59, stk. 9) and
    the statutory blocks do not bar the referral (``fallback`` names the
    provision), nor does the agreement's exemption of the department's colour
    (its criterion is in ``yielded``). ``area_term`` is the law's own word for
    the area on the date; ``exception`` is the assessment of stk. 7, 2. pkt.
    and stk. 8.
    """

    department_id: str
    on: dt.date
    designation: str
    basis: str
    provision: str | None
    allowed: bool
    blocks: tuple[ReferralBlock, ...]
    colour: str | None = None
    area_id: str | None = None
    area_term: str | None = None
    exception: Stk7Exception | None = None
    fallback: str | None = None
    fallback_available: str | None = None
    no_alternative: bool = False
    yielded: tuple[str, ...] = ()

    def reasons(self, lang: Language = "da") -> list[str]:
        """Readable reasons: the area's status, the exception, each criterion, the fallback."""
        words = f" ({self.area_term})" if self.area_term else ""
        if lang == "da":
            head = (f"Afdeling {self.department_id} den {self.on.isoformat()}: "
                    f"{self.basis}{words}; "
                    + (f"{self.provision} gælder" if self.provision else "ingen lovbestemt "
                       "begrænsning"))
        else:
            head = (f"Department {self.department_id} on {self.on.isoformat()}: "
                    f"{self.basis}{words}; "
                    + (f"{self.provision} applies" if self.provision else "no statutory limit"))
        lines = [head]
        if self.exception is not None:
            lines.append(self.exception.describe(lang))
        lines.extend(b.describe(lang) for b in self.blocks)
        statutory = any(b.statutory for b in self.blocks)
        if self.fallback and statutory:
            yielded = [b for b in self.blocks if b.criterion in self.yielded]
            if lang == "da":
                extra = "".join(
                    f", og det gør aftalens regel ({b.provision}) heller ikke: en aftale kan "
                    "ikke tilsidesætte kommunens lovbestemte pligt" for b in yielded)
            else:
                extra = "".join(
                    f", nor does the agreement's rule ({b.provision}): an agreement cannot set "
                    "aside the municipality's statutory duty" for b in yielded)
            lines.append(
                f"{self.fallback}: kommunen har vurderet, at der ikke er mulighed for at anvise "
                "husstanden uden for områderne, og skal derfor anvise her; kriterierne ovenfor "
                f"hindrer ikke denne anvisning{extra}"
                if lang == "da" else
                f"{self.fallback}: the municipality finds no possibility of referring the "
                "household outside these areas, so it must refer it here; the criteria above "
                f"do not bar this referral{extra}"
            )
        elif self.fallback_available and statutory:
            lines.append(
                f"{self.fallback_available}: finder kommunen ikke mulighed for at anvise "
                "husstanden til en afdeling uden for områderne, skal den anvise her "
                "(kontrollér igen med no_alternative=True)"
                if lang == "da" else
                f"{self.fallback_available}: if the municipality finds no possibility of "
                "referring the household to a department outside these areas, it must refer it "
                "here (check again with no_alternative=True)"
            )
        elif self.no_alternative and self.fallback_available and self.blocks:
            lines.append(
                f"{self.fallback_available} gælder ikke her: ingen af kriterierne i § 59, stk. 6 "
                "eller 7 hindrer anvisningen til denne afdeling, så der er ingen lovbestemt pligt, "
                "som aftalen må vige for; aftalens begrænsninger ovenfor står ved magt"
                if lang == "da" else
                f"{self.fallback_available} does not apply here: no criterion of § 59, stk. 6 or "
                "7 bars the referral to this department, so there is no statutory duty for the "
                "agreement to yield to; the agreement's limits above stand"
            )
        return lines


# ---------------------------------------------------------------------------
# The rules of a date, read from the parameters


@attrs.frozen
class _Criterion:
    code: str
    label: str
    name: str
    test: str
    fields: tuple[str, ...]
    window: int
    months: int
    under_age: int
    action_plan: bool
    title: str
    title_da: str
    reference: str


def _optional(params: ParameterSet, name: str, day: dt.date) -> DatedValue | None:
    if name not in params:
        return None
    try:
        return params.lookup(name, day)
    except NotInForceError:
        return None


def _criteria(params: ParameterSet, provision: DatedValue, day: dt.date) -> list[_Criterion]:
    """The criteria a provision applies on ``day``; every problem in the data at once."""
    out: list[_Criterion] = []
    problems: list[Problem] = []
    for entry in provision.value.get("criteria", []):
        name = f"referral.limits.criteria.{entry.get('criterion')}"
        dated = _optional(params, name, day)
        if dated is None:
            problems.append(Problem(
                provision.name, f"names {name}, which has no value on {day.isoformat()}"
            ))
            continue
        v = dated.value
        test = str(v.get("test"))
        fields = tuple(str(f) for f in v.get("fields", []))
        unknown = [f for f in fields if f not in HOUSEHOLD_FIELDS]
        if test not in TESTS:
            problems.append(Problem(
                name,
                f"unknown test {test!r}; expected one of {', '.join(TESTS)}",
            ))
        if unknown or not fields:
            problems.append(Problem(name, f"unknown household fields {unknown or '(none)'}"))
        if problems:
            continue
        window, months, under = (int(v.get(k, 0)) for k in ("window_months", "months", "under_age"))
        fill = {"window": window, "months": months, "under_age": under}
        out.append(_Criterion(
            code=str(entry["code"]), label=str(entry["label"]), name=name, test=test,
            fields=fields, window=window, months=months, under_age=under,
            action_plan=bool(v.get("action_plan", False)),
            title=str(v["title"]).format(**fill), title_da=str(v["title_da"]).format(**fill),
            reference=dated.reference,
        ))
    if problems:
        raise InputError(problems, head="referral limits: {count}")
    return out


# ---------------------------------------------------------------------------
# Inputs


def _months_back(on: dt.date, months: int) -> dt.date:
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    day = min(on.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def designation_on(
    municipality: Municipality, department_id: str, on: dt.date
) -> tuple[str, str]:
    """The designation of ``department_id``'s area on the ministry's list in force on ``on``.

    Returns the designation (``"none"`` when not listed) and a readable basis;
    see :func:`fuaalborg.monitoring.designations.designation_on`.
    """
    found = _area_designation(municipality, department_id, on)
    return found.designation, found.basis


def forebyggelse_share(
    municipality: Municipality, on: dt.date | str, *, parameters: ParameterSet | None = None
) -> ForebyggelseShare:
    """The share of the municipality's family dwellings in forebyggelse areas on ``on``.

    Counts the family and BAB dwellings of the departments whose area is, on the
    list in force, designated as § 59, stk. 7 protects (``referral.limits.stk7``),
    against those of all departments (§ 59, stk. 7, 2. pkt.; reading: see the
    parameter ``referral.limits.stk7_exception``).
    """
    params = parameters or load_parameters()
    day = as_date(on, "on")
    stk7 = _optional(params, "referral.limits.stk7", day)
    designations = set(stk7.value.get("areas", {})) if stk7 else set()
    list_date, rows = designations_in_force(municipality, day)
    areas = sorted(set(rows.loc[rows["designation"].isin(designations), "area_id"].tolist()))
    deps = municipality.departments
    units = deps["family_dwellings"].fillna(0).astype("int64")
    if "bab_dwellings" in deps.columns:
        units = units + deps["bab_dwellings"].fillna(0).astype("int64")
    inside = deps["area_id"].astype("string").isin(areas).fillna(False).to_numpy(dtype=bool)
    return ForebyggelseShare(
        on=day, list_date=list_date, areas=tuple(str(a) for a in areas),
        dwellings=int(units[inside].sum()), total=int(units.sum()),
    )


def _exclusions(
    excluded_areas: Any, day: dt.date
) -> dict[str, dt.date]:
    """The municipality's stk. 8 decisions in force on ``day``: area id -> date from."""
    if excluded_areas is None:
        return {}
    rows: list[Mapping[Any, Any]]
    if isinstance(excluded_areas, pd.DataFrame):
        rows = list(excluded_areas.to_dict("records"))
    elif isinstance(excluded_areas, Mapping):
        rows = [{"area_id": k, "from": v} for k, v in excluded_areas.items()]
    elif isinstance(excluded_areas, Iterable) and not isinstance(excluded_areas, str | bytes):
        rows = [dict(r) for r in excluded_areas]
    else:
        raise ValidationError(
            "excluded_areas: expected a mapping of area id to the date the municipality's "
            "decision applies from, or rows with area_id, from and until"
        )
    problems: list[Problem] = []
    found: dict[str, dt.date] = {}
    for i, row in enumerate(rows, start=1):
        area = row.get("area_id")
        if area is None or (not isinstance(area, str) and pd.isna(area)) or not str(area).strip():
            problems.append(Problem(f"row {i}", "area_id is empty"))
            continue
        dates: list[dt.date | None] = []
        for key in ("from", "until"):
            raw = row.get(key)
            if raw is None or (not isinstance(raw, str | dt.date) and pd.isna(raw)):
                if key == "from":
                    problems.append(Problem(
                        f"row {i}",
                        "from is empty (the date the decision applies from)",
                    ))
                dates.append(None)
                continue
            try:
                dates.append(as_date(raw, key))
            except ValidationError:
                problems.append(Problem(f"row {i}", f"{key} is not a date (YYYY-MM-DD)"))
                dates.append(None)
        start, until = dates
        if start is not None and until is not None and until < start:
            problems.append(Problem(f"row {i}", "until is before from"))
        if start is not None and start <= day and (until is None or day <= until):
            found[str(area)] = start
    if problems:
        raise InputError(problems, head="excluded_areas: {count}")
    return found


def _members(household: Any) -> pd.DataFrame:
    if isinstance(household, pd.DataFrame):
        return household.reset_index(drop=True)
    if isinstance(household, Mapping):
        return pd.DataFrame([dict(household)])
    if isinstance(household, Sequence) and not isinstance(household, str | bytes):
        rows = [dict(m) for m in household]
        if not rows:
            raise ValidationError("household: no members")
        return pd.DataFrame(rows)
    raise ValidationError("household: expected a DataFrame, a mapping or a list of mappings")


def _refuse_retired(members: pd.DataFrame, params: ParameterSet, day: dt.date) -> None:
    retired = _optional(params, "referral.limits.retired_fields", day)
    if retired is None:
        return
    problems = [
        Problem(name, f"no longer read: {what['why']}; give instead "
                f"{', '.join(what['replaced_by'])} ({retired.reference})")
        for name, what in retired.value.items() if name in members.columns
    ]
    if problems:
        raise InputError(problems, head="household: {count} (retired fields)")


def _field_values(
    frame: pd.DataFrame, field: str, on: dt.date, problems: list[Problem]
) -> list[Any]:
    kind = HOUSEHOLD_FIELDS[field]
    out: list[Any] = []
    for row, value in enumerate(frame[field].tolist(), start=1):
        missing = value is None or (not isinstance(value, str | bool) and pd.isna(value))
        if kind == "date":
            if missing:
                out.append(None)
                continue
            day = None
            if isinstance(value, dt.datetime | pd.Timestamp):
                day = value.date()
            elif isinstance(value, dt.date):
                day = value
            elif isinstance(value, str):
                try:
                    day = dt.date.fromisoformat(value)
                except ValueError:
                    day = None
            if day is None:
                problems.append(Problem(f"member {row}", f"{field} is not a date"))
            elif day > on:
                problems.append(Problem(f"member {row}", f"{field} is after the date of the check"))
            out.append(day)
        elif kind == "boolean":
            if missing and field in _OPTIONAL:
                out.append(None)
                continue
            if not isinstance(value, bool):
                problems.append(Problem(f"member {row}", f"{field} must be true or false"))
            out.append(value)
        else:
            ok = not missing and not isinstance(value, bool) and float(value).is_integer()
            if not ok or float(value) < 0:
                problems.append(Problem(f"member {row}", f"{field} must be {_KINDS[kind]}"))
                out.append(0)
            else:
                out.append(int(value))
    return out


def _evaluate(
    rules: list[_Criterion],
    values: Mapping[str, list[Any]],
    day: dt.date,
    n: int,
    problems: list[Problem],
) -> dict[str, list[int]]:
    """Which members (1-based) meet each criterion; a missing action plan is a problem."""

    def dated(rule: _Criterion) -> str:
        return next(f for f in rule.fields if HOUSEHOLD_FIELDS[f] == "date")

    def within(rule: _Criterion, i: int) -> bool:
        when = values[dated(rule)][i]
        return when is not None and when >= _months_back(day, rule.window)

    def plan(rule: _Criterion, i: int) -> bool:
        if not rule.action_plan:
            return True
        required = values["action_plan_required"][i]
        if required is None:
            problems.append(Problem(
                f"member {i + 1}",
                f"action_plan_required is needed ({rule.label} holds only where "
                "an action plan must be prepared)",
            ))
            return False
        return bool(required)

    def meets(rule: _Criterion, i: int) -> bool:
        if rule.test == "released_within":
            return within(rule, i) and plan(rule, i)
        if rule.test == "minor_released_within":
            return values["age"][i] < rule.under_age and within(rule, i) and plan(rule, i)
        if rule.test == "within":
            return within(rule, i)
        if rule.test == "not_citizen":
            return values["eu_eea_swiss_citizen"][i] is False and values["student"][i] is not True
        if rule.test == "flag":
            return all(values[f][i] is True for f in rule.fields)
        return any(values[f][i] >= rule.months for f in rule.fields)  # months_at_least

    # a household has a handful of members: a plain loop is the clearest form
    return {r.code: [i + 1 for i in range(n) if meets(r, i)] for r in rules}


# ---------------------------------------------------------------------------
# The check


def check_referral(
    household: Any,
    department_id: str,
    on: dt.date | str,
    *,
    municipality: Municipality | None = None,
    designation: str | None = None,
    colour: str | None = None,
    parameters: ParameterSet | None = None,
    area_id: str | None = None,
    forebyggelse_share: float | ForebyggelseShare | None = None,
    excluded_areas: Any = None,
    no_alternative: bool = False,
) -> ReferralCheck:
    """Check a household the municipality wants to refer to a department (§ 59, stk. 6–9).

    ``household`` is a DataFrame with one row per member, a list of mappings or
    one mapping, with the fields of :data:`HOUSEHOLD_FIELDS` that the criteria
    in force read (date fields may be empty: no such event;
    ``action_plan_required`` may be empty for a member not released in the
    window). The department's area and designation come from ``municipality``'s
    lists on ``on``, or are given as ``designation`` (and ``area_id``).

    For a forebyggelse area, ``forebyggelse_share`` (a percentage, or a
    :class:`ForebyggelseShare`; default: computed from ``municipality``) and
    ``excluded_areas`` (the municipality's decisions under stk. 8: a mapping of
    area id to the date it applies from, or rows with ``area_id``, ``from`` and
    ``until``) decide whether stk. 7 applies. ``no_alternative=True`` records
    that the municipality finds no possibility outside the areas (stk. 9): the
    statutory criteria then do not bar the referral, and neither does the
    agreement's exemption of the department's colour. ``colour`` adds the
    agreement's limits as ``colour_rules.referral_placement`` words them (red:
    no placement, the decision the ledger's routing of BAB dwellings shares;
    yellow: the stk. 7 criteria, which stk. 9 does not lift).

    Missing or malformed fields are reported together as one error; values are
    never shown. A household with a retired field (``social_assistance_months``)
    is refused, naming the fields that replaced it.
    """
    params = parameters or load_parameters()
    day = as_date(on, "on")
    if designation is None:
        if municipality is None:
            raise ValidationError(
                "check_referral: pass municipality= (to read the ministry's lists) or designation="
            )
        found = _area_designation(municipality, department_id, day)
        designation, basis = found.designation, found.basis
        area_id = area_id if area_id is not None else found.area_id
    else:
        basis = f"designation given: {designation}"
        if area_id is None and municipality is not None:
            area_id = _area_designation(municipality, department_id, day).area_id

    provision: str | None = None
    area_term: str | None = None
    rules: list[_Criterion] = []
    prefix = ""
    exception: Stk7Exception | None = None

    placement = _placement(params, colour, day)
    restricted = (
        _optional(params, placement.criteria, day)
        if placement is not None and placement.criteria is not None else None
    )
    stk6 = _optional(params, "referral.limits.stk6", day)
    stk7 = _optional(params, "referral.limits.stk7", day)
    if stk6 is not None and designation in stk6.value.get("areas", {}):
        provision, prefix = str(stk6.value["provision"]), "stk6"
        area_term = str(stk6.value["areas"][designation])
        rules = _criteria(params, stk6, day)
    elif stk7 is not None and designation in stk7.value.get("areas", {}):
        provision, prefix = str(stk7.value["provision"]), "stk7"
        area_term = str(stk7.value["areas"][designation])
        exception = _assess_exception(
            params, day, municipality, area_id, forebyggelse_share, excluded_areas
        )
        rules = [] if exception is not None and exception.lifted else _criteria(params, stk7, day)
    elif placement is not None and restricted is not None:
        assert placement.criteria is not None
        provision = (f"Fælles Udlejningsaftale ({colour} department; "
                     f"{restricted.value['provision']} criteria)")
        prefix = f"{colour}_{placement.criteria.rsplit('.', 1)[-1]}"
        rules = _criteria(params, restricted, day)

    blocks: list[ReferralBlock] = []
    if placement is not None and not placement.allows:
        label_da = _label_da(params, placement.colour, day)
        blocks.append(ReferralBlock(
            f"agreement_{placement.colour}",
            f"Fælles Udlejningsaftale ({placement.colour} department)",
            f"{placement.colour} department: the referral does not place households here, "
            "BAB dwellings included",
            f"{label_da} afdeling: boliganvisningen anviser ikke hertil, heller ikke til "
            "BAB-boliger", (),
            placement.reference, statutory=False,
        ))
    try:
        members: pd.DataFrame | None = _members(household)
    except ValidationError:
        if rules:
            raise
        members = None
    if members is not None:
        _refuse_retired(members, params, day)
    if rules and members is not None:
        needed = sorted({f for r in rules for f in r.fields})
        missing = [f for f in needed if f not in members.columns]
        if missing:
            raise ValidationError(
                f"household: missing fields {', '.join(missing)} (needed by {provision} on "
                f"{day.isoformat()})"
            )
        problems: list[Problem] = []
        values = {f: _field_values(members, f, day, problems) for f in needed}
        hits = {} if problems else _evaluate(rules, values, day, len(members), problems)
        if problems:
            raise InputError(problems, head="household: {count}")
        where = str(provision)
        by_agreement = prefix not in ("stk6", "stk7")
        for rule in rules:
            who = hits[rule.code]
            if who:
                if by_agreement:
                    label = f"{where} ({rule.label})" if rule.label else where
                else:
                    label = f"{where}, {rule.label}" if rule.label else where
                blocks.append(ReferralBlock(
                    f"{prefix}_{rule.code}", label, rule.title, rule.title_da, tuple(who),
                    rule.reference, statutory=not by_agreement,
                ))

    statutory = any(b.statutory for b in blocks)
    stk9 = _optional(params, "referral.limits.stk9", day)
    available = str(stk9.value["provision"]) if stk9 is not None else None
    fallback: str | None = None
    if no_alternative and statutory:
        if stk9 is None:
            raise ValidationError(
                f"no_alternative: the duty to refer in the area when there is no alternative "
                f"(almenboligloven § 59, stk. 9) is modelled from "
                f"{min(v.start for v in params.history('referral.limits.stk9')).isoformat()}, "
                f"not on {day.isoformat()}"
            )
        fallback = available
    # Stk. 9 is the municipality's duty: where the law bars the household here and
    # the municipality finds no alternative outside the areas, it must refer here,
    # and the agreement's exemption of the department's colour cannot stop it. The
    # criteria the agreement applies in a restricted colour are not lifted: stk. 9
    # obliges referral in the listed areas, not in those departments.
    yielded = tuple(
        b.criterion for b in blocks
        if fallback is not None and placement is not None and not placement.allows
        and b.criterion == f"agreement_{placement.colour}"
    )
    allowed = all(
        fallback is not None and (b.statutory or b.criterion in yielded) for b in blocks
    )
    return ReferralCheck(
        department_id=str(department_id),
        on=day,
        designation=designation,
        basis=basis,
        provision=provision,
        allowed=allowed,
        blocks=tuple(blocks),
        colour=colour,
        area_id=area_id,
        area_term=area_term,
        exception=exception,
        fallback=fallback,
        fallback_available=available,
        no_alternative=bool(no_alternative),
        yielded=yielded,
    )


def _placement(
    params: ParameterSet, colour: str | None, day: dt.date
) -> ReferralPlacement | None:
    """What ``colour_rules.referral_placement`` says of ``colour`` (``None``: no colour)."""
    if colour is None:
        return None
    try:
        found = placements(params, day)
    except NotInForceError:
        return None
    if colour not in found:
        raise ValidationError(f"colour {colour!r} is not one of {', '.join(found)}")
    return found[colour]


def _label_da(params: ParameterSet, colour: str, day: dt.date) -> str:
    dated = _optional(params, f"colour_rules.{colour}", day)
    if dated is not None and isinstance(dated.value, Mapping):
        return str(dated.value.get("label_da", colour))
    return colour


def _assess_exception(
    params: ParameterSet,
    day: dt.date,
    municipality: Municipality | None,
    area_id: str | None,
    share: float | ForebyggelseShare | None,
    excluded_areas: Any,
) -> Stk7Exception | None:
    """Stk. 7, 2. pkt. and stk. 8 for one check (``None`` before they are in force)."""
    dated = _optional(params, "referral.limits.stk7_exception", day)
    if dated is None:
        return None
    v = dated.value
    threshold, op = float(v["threshold_pct"]), str(v["operator"])
    if op not in _OPERATORS:
        raise ValidationError(f"{dated.name}: unknown operator {op!r}")
    exclusions = _exclusions(excluded_areas, day)
    if exclusions and area_id is None:
        raise ValidationError(
            "excluded_areas: the department's area is not known; pass municipality= or area_id="
        )
    if isinstance(share, ForebyggelseShare):
        pct: float | None = share.share_pct
        share_basis = share.describe()
    elif share is not None:
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 100:
            raise ValidationError("forebyggelse_share: expected a percentage from 0 to 100")
        pct, share_basis = float(share), "share given"
    elif municipality is not None:
        computed = forebyggelse_share(municipality, day, parameters=params)
        pct, share_basis = computed.share_pct, computed.describe()
    else:
        pct, share_basis = None, "share not known (pass forebyggelse_share= or municipality=)"
    since = exclusions.get(str(area_id)) if area_id is not None else None
    lifted = since is not None and pct is not None and _OPERATORS[op](round(pct, 6), threshold)
    return Stk7Exception(
        provision=str(v["provision"]), threshold_pct=threshold, operator=op, share_pct=pct,
        share_basis=share_basis, area_id=area_id, excluded_from=since, lifted=lifted,
        reference=dated.reference,
    )
