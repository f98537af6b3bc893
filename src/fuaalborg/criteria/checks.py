"""The load-time checks of plug-ins: plain functions that append every problem found.

Where to add a plug-in check: here. Each function takes the list of problems
(:class:`~fuaalborg.criteria.PluginError` members of the eventual
:class:`~fuaalborg.criteria.PluginLoadError`), the :class:`Source` of the
contribution (plug-in and distribution) and what is checked, and appends one
named error per problem, naming the plug-in and the criterion, agreement or
field. None of them stops at the first problem. The loader
(:mod:`fuaalborg.criteria.loading`) calls them in order: parameter files,
fields, criteria, agreements, then conflicts between agreements.

The same checks run for in-process and isolated plug-ins; an isolated
plug-in's declarations are rebuilt in the caller from plain data first, so
nothing the plug-in's own code could do in its worker changes them.

>>> from fuaalborg.criteria.checks import Source, check_organisation
>>> problems = []
>>> check_organisation(problems, Source("acme"), "12345678")
>>> print(problems[0])
plug-in 'acme': ORGANISATION_CVR '12345678' is not a valid CVR number (8 digits, modulus-11)
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, get_args

import attrs
import pandas as pd

from fuaalborg.criteria import errors
from fuaalborg.criteria.conditions import DwellingCondition, PriorityGroup
from fuaalborg.criteria.declarations import (
    COMBINED_SEPARATOR,
    MAX_GROUPS,
    AllDepartments,
    ByColour,
    Criterion,
    LettingAgreement,
)
from fuaalborg.criteria.vocabulary import (
    IDENTIFYING_FIELDS,
    STATUTORY_NAMES,
    ApplicantField,
    meaning_match,
    protected_match,
)
from fuaalborg.model import COLOURS, is_valid_cvr
from fuaalborg.tables import Dtype

__all__ = [
    "ID_PATTERN",
    "Problems",
    "Source",
    "accepts",
    "check_agreement",
    "check_conflicts",
    "check_criterion",
    "check_dates",
    "check_field",
    "check_organisation",
    "describe_agreement",
]

#: A criterion id or field name: lower-case words of letters, digits and ``_``, joined by ``.``.
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")

_DTYPES: tuple[str, ...] = get_args(Dtype)

#: The list every check appends to.
Problems = list[errors.PluginError]

_BASIS_TEXT = "forskelsbehandlingsloven § 1; lov om etnisk ligebehandling § 3"


@attrs.frozen
class Source:
    """Who contributed what is checked: the plug-in's name and its distribution."""

    plugin: str
    distribution: str | None = None

    def error(
        self, cls: type[errors.PluginError], detail: str, subject: str | None = None
    ) -> errors.PluginError:
        """A named error of kind ``cls`` about ``subject``."""
        return cls(detail, plugin=self.plugin, distribution=self.distribution, subject=subject)


def accepts(func: Callable[..., Any], arity: int) -> bool:
    """Whether ``func`` can be called with ``arity`` positional arguments."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return True
    try:
        sig.bind(*([None] * arity))
    except TypeError:
        return False
    return True


def check_dates(
    problems: Problems, source: Source, subject: str, start: Any, end: Any, *, required: bool
) -> bool:
    """Dates that are dates (not datetimes), a period that does not end before it starts."""
    before = len(problems)
    for label, value in (("valid_from", start), ("valid_until", end)):
        if value is None and (label == "valid_until" or not required):
            continue
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            problems.append(
                source.error(errors.InvalidDatesError, f"{label} is {value!r}, not a date", subject)
            )
    if len(problems) == before and start is not None and end is not None and end < start:
        problems.append(
            source.error(
                errors.InvalidDatesError,
                f"valid_until {end.isoformat()} is before valid_from {start.isoformat()}",
                subject,
            )
        )
    return len(problems) == before


def check_organisation(problems: Problems, source: Source, cvr: Any) -> None:
    """A plug-in's ``ORGANISATION_CVR``: absent, or a valid CVR number (modulus-11)."""
    if cvr is None:
        return
    if not is_valid_cvr(cvr):
        problems.append(
            source.error(
                errors.InvalidOrganisationError,
                f"ORGANISATION_CVR {cvr!r} is not a valid CVR number (8 digits, modulus-11)",
            )
        )


def check_field(
    problems: Problems,
    source: Source,
    field: ApplicantField,
    fields: Mapping[str, ApplicantField],
    owners: Mapping[str, str],
) -> bool:
    """A plug-in's own applicant field; ``True`` when it may join the vocabulary.

    Refused: a malformed name or type; a name, English meaning or Danish
    meaning that matches a protected concept or a proxy; a field of the
    statutory referral limits; a field declared protected; a check function
    that cannot run in the caller; a name already declared.
    """
    subject = f"field {field.name!r}"
    before = len(problems)

    def refuse(cls: type[errors.PluginError], detail: str) -> None:
        problems.append(source.error(cls, detail, subject))

    if not isinstance(field.name, str):
        refuse(errors.InvalidFieldError, f"the name {field.name!r} is not a text")
        return False
    if not _FIELD_NAME.fullmatch(field.name):
        refuse(
            errors.InvalidFieldError, "a field name is lower case letters, digits and underscores"
        )
    if field.dtype not in _DTYPES:
        refuse(
            errors.InvalidFieldError,
            f"the type {field.dtype!r} is not one of {', '.join(_DTYPES)}",
        )
    if field.protected:
        refuse(errors.InvalidFieldError, "a plug-in cannot declare protected fields")
    if field.name in STATUTORY_NAMES:
        refuse(
            errors.StatutoryFieldError,
            "the name is a household fact of the statutory referral limits (almenboligloven "
            "§ 59, stk. 6 and 7), which no criterion may read",
        )
    elif (hit := protected_match(field.name)) is not None:
        refuse(
            errors.DiscriminatoryFieldError,
            f"the name matches {hit.describe()}; criteria may never read such a field",
        )
    for label, text in (("meaning", field.meaning), ("Danish meaning", field.meaning_da)):
        if not isinstance(text, str) or not text.strip():
            refuse(errors.InvalidFieldError, "a field needs a meaning in English and Danish")
            break
        if (hit := meaning_match(text)) is not None:
            refuse(
                errors.DiscriminatoryFieldError,
                f"its {label} mentions {hit.describe()}; criteria may never read such a field",
            )
    if field.check is not None and type(field.check).__name__ == "RemoteCheck":
        refuse(
            errors.InvalidFieldError,
            "an isolated plug-in's field cannot bring a check function (it would run in the "
            "caller): state the rule with pattern, allowed, min or max",
        )
    if len(problems) == before and field.name in fields:
        where = f"plug-in {owners[field.name]!r}" if field.name in owners else "the vocabulary"
        refuse(errors.DuplicateFieldError, f"already declared by {where}")
    return len(problems) == before


def _reads_problem(
    field: Any, fields: Mapping[str, ApplicantField]
) -> tuple[type[errors.PluginError], str] | None:
    if not isinstance(field, str):
        return errors.InvalidCriterionError, f"reads {field!r}, not a field name"
    declared = fields.get(field)
    if field in STATUTORY_NAMES or (declared is not None and declared.statutory):
        return (
            errors.StatutoryFieldError,
            f"reads {field!r}, a household fact of the statutory referral limits "
            "(almenboligloven § 59, stk. 6 and 7), which no criterion may read",
        )
    if declared is not None and declared.protected:
        hit = protected_match(field)
        why = f" ({hit.concept.concept})" if hit is not None else ""
        return (
            errors.DiscriminatoryCriterionError,
            f"reads the protected field {field!r}{why}: no criterion may use ethnicity, "
            f"national origin, citizenship, religion or a proxy for them ({_BASIS_TEXT})",
        )
    hit = protected_match(field)
    if hit is not None:
        return (
            errors.DiscriminatoryCriterionError,
            f"reads the protected field {field!r}, which matches {hit.describe()}: no criterion "
            "may use ethnicity, national origin, citizenship, religion or a proxy for them",
        )
    if field in IDENTIFYING_FIELDS:
        return (
            errors.InvalidCriterionError,
            f"reads {field!r}, which identifies the applicant: a criterion decides on declared "
            "facts, never on who the applicant is",
        )
    if declared is None:
        return (
            errors.UnknownFieldError,
            f"reads {field!r}, which no vocabulary declares (declare it with the "
            "register_applicant_fields hook)",
        )
    return None


def check_criterion(
    problems: Problems,
    source: Source,
    crit: Criterion,
    fields: Mapping[str, ApplicantField],
    known_parameters: set[str],
) -> None:
    """A criterion: id, title, legal basis, dates, the fields and parameters it reads, predicate."""
    subject = f"criterion {crit.id!r}"

    def refuse(cls: type[errors.PluginError], detail: str) -> None:
        problems.append(source.error(cls, detail, subject))

    if not isinstance(crit.id, str) or not ID_PATTERN.fullmatch(crit.id):
        refuse(
            errors.InvalidCriterionError,
            "an id is lower-case words of letters, digits and '_' joined by '.' "
            "(e.g. 'acme.in_work')",
        )
    if not isinstance(crit.title, str) or not crit.title.strip():
        refuse(errors.InvalidCriterionError, "the title is empty")
    if not isinstance(crit.legal_basis, str) or not crit.legal_basis.strip():
        refuse(
            errors.MissingLegalBasisError,
            "no legal basis (cite e.g. 'Almenboligloven § 60, stk. 1' and the agreement)",
        )
    check_dates(problems, source, subject, crit.valid_from, crit.valid_until, required=False)
    if not crit.reads:
        refuse(errors.InvalidCriterionError, "reads no field (declare the fields it needs)")
    for field in sorted(crit.reads, key=str):
        found = _reads_problem(field, fields)
        if found is not None:
            refuse(*found)
    for name in crit.parameters:
        if name not in known_parameters:
            refuse(
                errors.UnknownParameterError,
                f"reads the parameter {name!r}, which no parameter file defines",
            )
    predicate = crit.predicate
    remote = getattr(predicate, "declared_callable", None)
    if not (remote if remote is not None else callable(predicate)):
        refuse(errors.InvalidCriterionError, "the predicate is not callable")
        return
    arity = 2 if crit.parameters else 1
    remote_accepts = getattr(predicate, "accepts", None)
    if remote is not None and remote_accepts is not None:
        ok = bool(remote_accepts(arity))
    else:
        ok = accepts(predicate, arity)
    if not ok:
        refuse(
            errors.InvalidCriterionError,
            f"the predicate must accept {arity} positional argument"
            + (" (frame, parameter values)" if arity == 2 else " (the frame)"),
        )


def describe_agreement(agr: LettingAgreement) -> str:
    """``(CVR 12011814, departments coloured red, from 2024-01-01)`` for messages."""
    who = "statutory" if agr.organisation_cvr is None else f"CVR {agr.organisation_cvr}"
    since = (
        agr.valid_from.isoformat() if isinstance(agr.valid_from, dt.date) else repr(agr.valid_from)
    )
    deps = (
        agr.describe_departments()
        if isinstance(agr.departments, AllDepartments | ByColour | tuple)
        else repr(agr.departments)
    )
    return f"({who}, {deps}, from {since})"


def _check_departments_shape(
    problems: Problems, source: Source, subject: str, agr: LettingAgreement
) -> None:
    deps = agr.departments
    if isinstance(deps, ByColour):
        if not deps.colours or any(c not in COLOURS for c in deps.colours):
            problems.append(
                source.error(
                    errors.InvalidAgreementError,
                    f"ByColour takes colours among {', '.join(COLOURS)}, got {deps.colours!r}",
                    subject,
                )
            )
    elif isinstance(deps, AllDepartments):
        return
    elif (
        not isinstance(deps, tuple)
        or not deps
        or not all(isinstance(d, str) and d.strip() for d in deps)
    ):
        problems.append(
            source.error(
                errors.InvalidAgreementError,
                "departments must be department ids, AllDepartments() or ByColour(...)",
                subject,
            )
        )


def _may_be_mandatory(agr: LettingAgreement, statutory: LettingAgreement) -> bool:
    """Whether ``agr`` may cover a department of a colour the statutory agreement governs."""
    deps, governed = agr.departments, statutory.departments
    if not isinstance(deps, ByColour) or not isinstance(governed, ByColour):
        return True
    return bool(set(deps.colours) & set(governed.colours))


def _check_groups(
    problems: Problems,
    source: Source,
    subject: str,
    agr: LettingAgreement,
    criteria: Mapping[str, Criterion],
    all_ids: set[str],
    statutory: Sequence[LettingAgreement],
) -> None:
    def refuse(cls: type[errors.PluginError], detail: str) -> None:
        problems.append(source.error(cls, detail, subject))

    if not agr.groups:
        refuse(errors.InvalidAgreementError, "no priority groups")
        return
    seen: set[tuple[frozenset[str], str]] = set()
    for number, group in enumerate(agr.groups, start=1):
        if isinstance(group, PriorityGroup):
            gid, conditions = group.criterion, group.applies_to
            bad = [c for c in conditions if not isinstance(c, DwellingCondition)]
            if not conditions or bad:
                refuse(
                    errors.InvalidAgreementError,
                    f"group {number}: applies_to must be one or more DwellingCondition "
                    "(or their text form, e.g. 'floor = 0')",
                )
                continue
            text = group.condition_text
        else:
            gid, text = group, ""
        if not isinstance(gid, str):
            refuse(
                errors.InvalidAgreementError,
                f"group {number} is {gid!r}: a criterion id, a combined group 'a&b' or a "
                "PriorityGroup",
            )
            continue
        parts = gid.split(COMBINED_SEPARATOR)
        if any(not p.strip() for p in parts) or len(set(parts)) != len(parts):
            refuse(
                errors.InvalidAgreementError,
                f"group {gid!r}: a combined group joins different criterion ids with '&'",
            )
            continue
        key = (frozenset(parts), text)
        if key in seen:
            refuse(errors.InvalidAgreementError, f"the group {gid!r} is listed twice")
        seen.add(key)
        for part in parts:
            if part in criteria:
                _check_group_dates(problems, source, subject, agr, criteria[part])
            elif part not in all_ids:
                refuse(
                    errors.UnknownCriterionError,
                    f"group {gid!r} names no loaded criterion {part!r}"
                    if len(parts) > 1
                    else f"group {gid!r} names no loaded criterion",
                )
    count = len(agr.groups)
    red = max((_red_count(agr, m.group_ids) for m in statutory
               if m.groups and _may_be_mandatory(agr, m)), default=count)
    worst = max(count, red)
    if worst > MAX_GROUPS:
        extra = (
            f" ({red} in a red department, where the mandatory § 60, stk. 4 criterion is added)"
            if red > count
            else ""
        )
        refuse(
            errors.InvalidAgreementError,
            f"{count} priority groups{extra}: a ranking orders at most {MAX_GROUPS} groups",
        )


def _red_count(agr: LettingAgreement, required: tuple[str, ...]) -> int:
    """How many groups the agreement has in a red department (see ``tightened``)."""
    keys: list[tuple[Any, str]] = []
    for group in agr.groups:
        gid = group.criterion if isinstance(group, PriorityGroup) else group
        text = group.condition_text if isinstance(group, PriorityGroup) else ""
        combined = gid if gid in required else COMBINED_SEPARATOR.join((str(gid), *required))
        keys.append((combined, text))
    keys.extend((r, "") for r in required)
    return len(dict.fromkeys(keys))


def _check_group_dates(
    problems: Problems, source: Source, subject: str, agr: LettingAgreement, crit: Criterion
) -> None:
    if not isinstance(agr.valid_from, dt.date):
        return
    starts_late = crit.valid_from is not None and crit.valid_from > agr.valid_from
    ends_early = crit.valid_until is not None and (
        agr.valid_until is None or crit.valid_until < agr.valid_until
    )
    if starts_late or ends_early:
        problems.append(
            source.error(
                errors.InvalidDatesError,
                f"criterion {crit.id!r} is not in force for the whole agreement period",
                subject,
            )
        )


def _check_ownership(
    problems: Problems,
    source: Source,
    subject: str,
    agr: LettingAgreement,
    departments: pd.DataFrame,
) -> None:
    owners = dict(
        zip(
            departments["department_id"].astype(str),
            departments["organisation_cvr"].astype(str),
            strict=True,
        )
    )
    if isinstance(agr.departments, tuple):
        for dep in agr.departments:
            if dep not in owners:
                problems.append(
                    source.error(
                        errors.UnknownDepartmentError,
                        f"department {dep!r} is not in the municipality's departments",
                        subject,
                    )
                )
            elif owners[dep] != agr.organisation_cvr:
                problems.append(
                    source.error(
                        errors.ForeignDepartmentError,
                        f"department {dep!r} belongs to organisation {owners[dep]}, not "
                        f"{agr.organisation_cvr}",
                        subject,
                    )
                )
    elif agr.organisation_cvr not in set(owners.values()):
        problems.append(
            source.error(
                errors.UnknownDepartmentError,
                f"organisation {agr.organisation_cvr} owns no department in the municipality",
                subject,
            )
        )


def check_agreement(
    problems: Problems,
    source: Source,
    agr: LettingAgreement,
    *,
    builtin: bool,
    organisation_cvr: str | None,
    criteria: Mapping[str, Criterion],
    all_ids: set[str],
    statutory: Sequence[LettingAgreement] = (),
    departments: pd.DataFrame | None = None,
) -> None:
    """An agreement: its organisation, departments, groups, share, legal basis and dates.

    ``organisation_cvr`` is the plug-in's ``ORGANISATION_CVR`` (``None`` when it
    declares none); ``statutory`` the library's mandatory agreements (to count a
    red department's groups); ``departments`` the municipality's departments
    table, when known.
    """
    subject = f"agreement {describe_agreement(agr)}"

    def refuse(cls: type[errors.PluginError], detail: str) -> None:
        problems.append(source.error(cls, detail, subject))

    if agr.organisation_cvr is None and builtin:
        pass
    elif not is_valid_cvr(agr.organisation_cvr):
        refuse(
            errors.InvalidAgreementError,
            f"organisation_cvr {agr.organisation_cvr!r} is not a valid CVR number "
            "(8 digits, modulus-11)",
        )
    elif not builtin and organisation_cvr is None:
        refuse(
            errors.AgreementOrganisationError,
            "the plug-in declares no ORGANISATION_CVR: it may publish criteria but no agreements "
            "(set ORGANISATION_CVR = '<CVR>' in the plug-in module to speak for an organisation)",
        )
    elif not builtin and agr.organisation_cvr != organisation_cvr:
        refuse(
            errors.AgreementOrganisationError,
            f"the agreement is for CVR {agr.organisation_cvr}, but the plug-in speaks for "
            f"ORGANISATION_CVR {organisation_cvr}: a plug-in publishes agreements only for its "
            "own organisation",
        )
    _check_departments_shape(problems, source, subject, agr)
    _check_groups(problems, source, subject, agr, criteria, all_ids, statutory)
    share = agr.flexible_share
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        refuse(errors.InvalidAgreementError, f"flexible_share {share!r} is not a share from 0 to 1")
    if not isinstance(agr.legal_basis, str) or not agr.legal_basis.strip():
        refuse(
            errors.MissingLegalBasisError,
            "no legal basis (cite 'Almenboligloven § 60, stk. 1' and the bilag 4 text)",
        )
    check_dates(problems, source, subject, agr.valid_from, agr.valid_until, required=True)
    if not isinstance(agr.internal_moves_exempt, bool):
        refuse(errors.InvalidAgreementError, "internal_moves_exempt is not true or false")
    rooms = agr.children_first_for_rooms
    if rooms is not None and (isinstance(rooms, bool) or not isinstance(rooms, int) or rooms < 1):
        refuse(
            errors.InvalidAgreementError,
            f"children_first_for_rooms {rooms!r} is not a number of rooms >= 1",
        )
    if departments is not None and agr.organisation_cvr is not None:
        _check_ownership(problems, source, subject, agr, departments)


def _periods_overlap(a: LettingAgreement, b: LettingAgreement) -> bool:
    a_end = a.valid_until or dt.date.max
    b_end = b.valid_until or dt.date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def _departments_overlap(a: LettingAgreement, b: LettingAgreement) -> bool:
    da, db = a.departments, b.departments
    if isinstance(da, AllDepartments) and isinstance(db, AllDepartments):
        return True
    if isinstance(da, ByColour) and isinstance(db, ByColour):
        return bool(set(da.colours) & set(db.colours))
    if isinstance(da, tuple) and isinstance(db, tuple):
        return bool(set(da) & set(db))
    return False


def check_conflicts(
    problems: Problems, agreements: Sequence[tuple[Source, LettingAgreement]]
) -> None:
    """Two agreements of one organisation, of one kind, for one department on one day."""
    for i, (source_a, a) in enumerate(agreements):
        for source_b, b in agreements[i + 1 :]:
            if a.organisation_cvr is None or a.organisation_cvr != b.organisation_cvr:
                continue
            if a.specificity != b.specificity or not _periods_overlap(a, b):
                continue
            if _departments_overlap(a, b):
                problems.append(
                    source_b.error(
                        errors.ConflictingAgreementsError,
                        f"overlaps {describe_agreement(a)} of plug-in {source_a.plugin!r}: both "
                        "apply to the same department on the same day",
                        f"agreement {describe_agreement(b)}",
                    )
                )
