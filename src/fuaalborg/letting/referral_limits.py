"""Statutory limits on the municipality's referral: almenboligloven § 59, stk. 6 and 7.

**This module is statutory, and isolated on purpose.** The law bars the
municipal referral (kommunal boliganvisning) from placing certain households in
departments of vulnerable areas (udsatte boligområder, including parallel
societies and transformation areas: § 59, stk. 6) and of prevention areas
(forebyggelsesområder: § 59, stk. 7). One of those criteria (stk. 6, nr. 4)
uses citizenship of an EU/EEA country or Switzerland — the only place where the
law itself uses citizenship. These are limits on the *municipality's
placement*, not letting criteria: no criterion plug-in, the criteria firewall
or the ranking may import this module, and the household fields it reads are
protected for every criterion. It reads a household only when a municipality
checks a referral, and its results name criteria and member numbers, never
personal values.

The criteria (a member of the household, "et medlem af husstanden"):

=======  ============================================================================
nr. 1    released within the last 6 months from an institution of the Prison and
         Probation Service after a conviction (``released_from_prison_on``)
nr. 2    under 18, released within the last 6 months from an institution outside
         the Prison and Probation Service after a conviction
         (``age``, ``released_from_youth_institution_on``)
nr. 3    lease ended within the last 6 months for serious breach of good order
         (``lease_terminated_on``)
nr. 4    not a citizen of an EU/EEA country or Switzerland, students at a publicly
         recognised institution excepted (``eu_eea_swiss_citizen``, ``student``)
nr. 5    6 consecutive calendar months of social-assistance benefits
         (selvforsørgelses- og hjemrejseydelse, overgangsydelse, uddannelseshjælp,
         kontanthjælp; ``social_assistance_months``)
nr. 6    receives disability pension (førtidspension; ``disability_pension``)
nr. 7    6 consecutive calendar months of unemployment or sickness benefit or
         resource-course benefit (``unemployment_sickness_months``)
=======  ============================================================================

Stk. 6 applies nr. 1–7 in departments of areas designated ``udsat``,
``parallelsamfund`` or ``omdannelse``; stk. 7 applies nr. 1–4 and the
six-month benefit rule (checked on ``social_assistance_months``) in
``forebyggelse`` areas. Which criteria are in force, the areas they protect and
the 6-month windows are dated, cited parameters (``ledger.referral_limits.*``).
The agreement adds, as the library's reading: no placement in red departments,
and the stk. 7 limits in yellow departments too (pass ``colour``).

>>> import datetime as dt
>>> member = {"released_from_prison_on": None, "age": 34,
...           "released_from_youth_institution_on": None, "lease_terminated_on": None,
...           "eu_eea_swiss_citizen": True, "student": False,
...           "social_assistance_months": 7, "disability_pension": False,
...           "unemployment_sickness_months": 0}
>>> check = check_referral([member], "A-1", dt.date(2024, 3, 1), designation="udsat")
>>> check.allowed, [b.criterion for b in check.blocks]
(False, ['stk6_nr5'])
>>> check_referral([member], "A-1", dt.date(2024, 3, 1), designation="none").allowed
True
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pandas as pd

from fuaalborg.dates import as_date
from fuaalborg.errors import NotInForceError, ValidationError
from fuaalborg.municipality import Municipality
from fuaalborg.parameters import ParameterSet, load_parameters

__all__ = [
    "CRITERIA",
    "HOUSEHOLD_FIELDS",
    "ReferralBlock",
    "ReferralCheck",
    "check_referral",
    "designation_on",
]

#: The criteria of § 59, stk. 6: code -> (English title, Danish title, fields read).
CRITERIA: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
    "nr1": (
        "released from the Prison and Probation Service's institution after a conviction "
        "within the last {window} months",
        "løsladt fra institution under kriminalforsorgen efter dom inden for de seneste "
        "{window} måneder",
        ("released_from_prison_on",),
    ),
    "nr2": (
        "under 18 and released from an institution outside the Prison and Probation Service "
        "after a conviction within the last {window} months",
        "under 18 år og løsladt fra institution uden for kriminalforsorgen efter dom inden "
        "for de seneste {window} måneder",
        ("age", "released_from_youth_institution_on"),
    ),
    "nr3": (
        "lease ended for serious breach of good order within the last {window} months",
        "lejemål ophævet eller opsagt pga. grove overtrædelser af god skik og orden inden for "
        "de seneste {window} måneder",
        ("lease_terminated_on",),
    ),
    "nr4": (
        "not a citizen of an EU/EEA country or Switzerland (students at a publicly "
        "recognised institution excepted)",
        "ikke statsborger i et EU/EØS-land eller Schweiz (bortset fra studerende ved en "
        "offentligt anerkendt uddannelsesinstitution)",
        ("eu_eea_swiss_citizen", "student"),
    ),
    "nr5": (
        "{months} consecutive calendar months of social-assistance benefits",
        "{months} sammenhængende kalendermåneder med selvforsørgelses- og hjemrejseydelse, "
        "overgangsydelse, uddannelseshjælp eller kontanthjælp",
        ("social_assistance_months",),
    ),
    "nr6": (
        "receives disability pension",
        "modtager førtidspension",
        ("disability_pension",),
    ),
    "nr7": (
        "{months} consecutive calendar months of unemployment, sickness or resource-course "
        "benefit",
        "{months} sammenhængende kalendermåneder med arbejdsløshedsdagpenge, sygedagpenge "
        "eller ressourceforløbsydelse",
        ("unemployment_sickness_months",),
    ),
}

#: Every household field this module may read, with its type.
HOUSEHOLD_FIELDS: Mapping[str, str] = {
    "released_from_prison_on": "date or empty",
    "age": "whole number of years",
    "released_from_youth_institution_on": "date or empty",
    "lease_terminated_on": "date or empty",
    "eu_eea_swiss_citizen": "true or false",
    "student": "true or false",
    "social_assistance_months": "whole number of consecutive calendar months",
    "disability_pension": "true or false",
    "unemployment_sickness_months": "whole number of consecutive calendar months",
}

_DATE_FIELDS = {"released_from_prison_on", "released_from_youth_institution_on",
                "lease_terminated_on"}
_BOOL_FIELDS = {"eu_eea_swiss_citizen", "student", "disability_pension"}


@attrs.frozen
class ReferralBlock:
    """One criterion that blocks the referral, and which household members meet it (1-based)."""

    criterion: str
    provision: str
    title: str
    title_da: str
    members: tuple[int, ...]
    reference: str

    def describe(self, lang: str = "en") -> str:
        """One line: the provision, the criterion's title and the members (by number)."""
        who = ", ".join(str(m) for m in self.members)
        if lang == "da":
            return f"{self.provision}: {self.title_da} (husstandsmedlem {who})"
        return f"{self.provision}: {self.title} (household member {who})"


@attrs.frozen
class ReferralCheck:
    """The result of :func:`check_referral`: allowed or not, and why."""

    department_id: str
    on: dt.date
    designation: str
    basis: str
    provision: str | None
    allowed: bool
    blocks: tuple[ReferralBlock, ...]
    colour: str | None = None

    def reasons(self, lang: str = "en") -> list[str]:
        """Readable reasons: the area's status and each blocking criterion."""
        if lang == "da":
            head = (f"Afdeling {self.department_id} den {self.on.isoformat()}: {self.basis}; "
                    + (f"{self.provision} gælder" if self.provision else "ingen lovbestemt "
                       "begrænsning"))
        else:
            head = (f"Department {self.department_id} on {self.on.isoformat()}: {self.basis}; "
                    + (f"{self.provision} applies" if self.provision else "no statutory limit"))
        return [head, *(b.describe(lang) for b in self.blocks)]


def _months_back(on: dt.date, months: int) -> dt.date:
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    day = min(on.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def designation_on(
    municipality: Municipality, department_id: str, on: dt.date
) -> tuple[str, str]:
    """The designation of ``department_id``'s area on the ministry's list in force on ``on``.

    The list in force is the latest publication (``list_date``) on or before
    ``on`` in the municipality's ``lists`` table; an area absent from it, or a
    department in no area, is ``"none"``. Returns the designation and a
    readable basis.
    """
    deps = municipality.departments
    row = deps.loc[deps["department_id"].astype(str) == str(department_id)]
    if row.empty:
        raise ValidationError(f"unknown department {department_id!r}")
    area = row["area_id"].iloc[0]
    if area is None or pd.isna(area):
        return "none", "not part of an area"
    lists = municipality.lists
    if lists.empty:
        return "none", f"area {area}: no ministry lists loaded"
    dates = pd.to_datetime(lists["list_date"])
    published = dates[dates <= pd.Timestamp(on)]
    if published.empty:
        return "none", f"area {area}: no ministry list published by {on.isoformat()}"
    latest = published.max()
    hit = lists.loc[(dates == latest) & (lists["area_id"].astype(str) == str(area))]
    designation = "none" if hit.empty else str(hit["designation"].iloc[0])
    return designation, f"area {area} on the list of {latest.date().isoformat()}: {designation}"


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


def _field_values(frame: pd.DataFrame, field: str, on: dt.date, problems: list[str]) -> list[Any]:
    out: list[Any] = []
    for row, value in enumerate(frame[field].tolist(), start=1):
        missing = value is None or (not isinstance(value, str | bool) and pd.isna(value))
        if field in _DATE_FIELDS:
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
                problems.append(f"member {row}: {field} is not a date")
            elif day > on:
                problems.append(f"member {row}: {field} is after the date of the check")
            out.append(day)
        elif field in _BOOL_FIELDS:
            if not isinstance(value, bool):
                problems.append(f"member {row}: {field} must be true or false")
            out.append(value)
        else:
            ok = not missing and not isinstance(value, bool) and float(value).is_integer()
            if not ok or float(value) < 0:
                problems.append(f"member {row}: {field} must be a whole number >= 0")
                out.append(0)
            else:
                out.append(int(value))
    return out


def check_referral(
    household: Any,
    department_id: str,
    on: dt.date | str,
    *,
    municipality: Municipality | None = None,
    designation: str | None = None,
    colour: str | None = None,
    parameters: ParameterSet | None = None,
) -> ReferralCheck:
    """Check a household the municipality wants to refer to a department (§ 59, stk. 6/7).

    ``household`` is a DataFrame with one row per member, a list of mappings or
    one mapping, with the fields of :data:`HOUSEHOLD_FIELDS` that the applicable
    criteria read (date fields may be empty: no such event). The department's
    area designation comes from ``municipality``'s lists on ``on``, or is given
    as ``designation``. ``colour`` adds the agreement's limits (red: no
    placement; yellow: the stk. 7 criteria). Missing or malformed fields that a
    criterion needs are reported together as one error; values are never shown.
    """
    params = parameters or load_parameters()
    day = as_date(on, "on")
    if designation is None:
        if municipality is None:
            raise ValidationError(
                "check_referral: pass municipality= (to read the ministry's lists) or designation="
            )
        designation, basis = designation_on(municipality, department_id, day)
    else:
        basis = f"designation given: {designation}"
    provision: str | None = None
    codes: list[str] = []
    reference = ""

    def get(name: str) -> Any:
        try:
            return params.get(f"ledger.referral_limits.{name}", day)
        except NotInForceError:
            return None

    stk6_areas = get("stk6_designations") or []
    stk7_areas = get("stk7_designations") or []
    if designation in stk6_areas and get("stk6_criteria"):
        provision = "almenboligloven § 59, stk. 6"
        codes = list(get("stk6_criteria"))
        reference = params.lookup("ledger.referral_limits.stk6_criteria", day).reference
        prefix = "stk6"
    elif designation in stk7_areas and get("stk7_criteria"):
        provision = "almenboligloven § 59, stk. 7"
        codes = list(get("stk7_criteria"))
        reference = params.lookup("ledger.referral_limits.stk7_criteria", day).reference
        prefix = "stk7"
    elif colour == "yellow" and get("yellow_uses_stk7") and get("stk7_criteria"):
        provision = "Fælles Udlejningsaftale (yellow department; § 59, stk. 7 criteria)"
        codes = list(get("stk7_criteria"))
        reference = params.lookup("ledger.referral_limits.yellow_uses_stk7", day).reference
        prefix = "yellow_stk7"
    blocks: list[ReferralBlock] = []
    if colour == "red" and get("red_placement") is False:
        blocks.append(ReferralBlock(
            "agreement_red", "Fælles Udlejningsaftale (red department)",
            "red department: the referral does not place households here",
            "rød afdeling: boliganvisningen anviser ikke hertil", (),
            params.lookup("ledger.referral_limits.red_placement", day).reference,
        ))
    if codes:
        members = _members(household)
        needed = sorted({f for c in codes for f in CRITERIA[c][2]})
        missing = [f for f in needed if f not in members.columns]
        if missing:
            raise ValidationError(
                f"household: missing fields {', '.join(missing)} (needed by {provision})"
            )
        problems: list[str] = []
        values = {f: _field_values(members, f, day, problems) for f in needed}
        if problems:
            raise ValidationError(
                "household: " + f"{len(problems)} problems\n" + "\n".join(
                    f"  - {p}" for p in problems
                )
            )
        # the 6-month window and benefit rule are parameters; a criterion whose
        # period is not in force cannot be applied, so the look-up must succeed
        window = int(params.get("ledger.referral_limits.window_months", day))
        uses_benefits = any(code in {"nr5", "nr7"} for code in codes)
        months = (
            int(params.get("ledger.referral_limits.benefit_months", day)) if uses_benefits else 0
        )
        since = _months_back(day, window)
        minor_age = (
            int(params.get("ledger.referral_limits.minor_age", day)) if "nr2" in codes else 0
        )
        hits = _evaluate(codes, values, since, months, len(members), minor_age)
        for code in codes:
            who = hits[code]
            if who:
                title, title_da, _fields = CRITERIA[code]
                number = code.removeprefix("nr")
                label = (f"{provision}, nr. {number}" if prefix == "stk6" else
                         f"{provision} (stk. 6, nr. {number})" if number != "5" else
                         f"{provision} (benefits)")
                blocks.append(ReferralBlock(
                    f"{prefix}_{code}", label,
                    title.format(window=window, months=months),
                    title_da.format(window=window, months=months),
                    tuple(who), reference,
                ))
    return ReferralCheck(
        department_id=str(department_id),
        on=day,
        designation=designation,
        basis=basis,
        provision=provision,
        allowed=not blocks,
        blocks=tuple(blocks),
        colour=colour,
    )


def _evaluate(
    codes: list[str],
    values: Mapping[str, list[Any]],
    since: dt.date,
    months: int,
    n: int,
    minor_age: int,
) -> dict[str, list[int]]:
    def within(day: dt.date | None) -> bool:
        return day is not None and day >= since

    def meets(code: str, i: int) -> bool:
        if code == "nr1":
            return within(values["released_from_prison_on"][i])
        if code == "nr2":
            return bool(values["age"][i] < minor_age) and within(
                values["released_from_youth_institution_on"][i]
            )
        if code == "nr3":
            return within(values["lease_terminated_on"][i])
        if code == "nr4":
            return values["eu_eea_swiss_citizen"][i] is False and values["student"][i] is not True
        if code == "nr5":
            return bool(values["social_assistance_months"][i] >= months)
        if code == "nr6":
            return values["disability_pension"][i] is True
        if code == "nr7":
            return bool(values["unemployment_sickness_months"][i] >= months)
        raise ValidationError(f"unknown criterion {code!r} in the parameters")

    # a household has a handful of members: a plain loop is the clearest form
    return {c: [i + 1 for i in range(n) if meets(c, i)] for c in codes}
