"""The audit: proof on data that no criterion or agreement depends on a protected field.

:func:`audit` evaluates every criterion and every agreement's grouping in force
on a sample of applicants, then again

- with every protected column shuffled among the applicants,
- with every protected column replaced by synthetic values,
- with the protected columns removed, and
- with the rows in another order,

and records a violation wherever any result changes. A criterion whose fields
the sample lacks is reported as *not checked*, never as passed; a criterion or
agreement whose predicate fails is reported as *failed*, with the error — every
failing subject, not only the first.

Given a labelled sample (protected columns kept for statistics only, as
England's CORE lettings log keeps ethnicity apart from any decision), the audit
also reports each criterion's selection rate per group and flags a ratio to the
best-off group under the four-fifths threshold as a **warning for human
review** — never as a decision. Groups smaller than a threshold are suppressed.

>>> from datetime import date
>>> from fuaalborg.criteria import audit, load
>>> from fuaalborg.criteria.testing import synthetic_applicants
>>> report = audit(load(entry_points=False), synthetic_applicants(500, seed=1), date(2024, 5, 1))
>>> report.ok, len(report.violations)
(True, 0)
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from fuaalborg.criteria.declarations import LettingAgreement
from fuaalborg.criteria.errors import MissingApplicantFieldError, PredicateError
from fuaalborg.criteria.registry import Registry
from fuaalborg.criteria.vocabulary import protected_columns
from fuaalborg.errors import AssumedTermsWarning
from fuaalborg.formatting import counted

__all__ = ["AuditCheck", "AuditReport", "ImpactRow", "audit", "priority_groups"]

_VARIANTS = ("shuffled", "synthetic", "removed", "row order")
# How many distinct values a protected column may have to serve as a group label.
_MAX_LABELS = 50
# Identifying columns never serve as group labels.
_NEVER_LABELS = frozenset({"name", "cpr"})


@attrs.frozen
class AuditCheck:
    """One subject (criterion or agreement) under one variant of the sample."""

    subject: str
    kind: str
    variant: str
    changed: int

    @property
    def ok(self) -> bool:
        """Whether no applicant's result changed."""
        return self.changed == 0


@attrs.frozen
class ImpactRow:
    """A criterion's selection rate in one group of a labelled sample.

    ``rate``/``ratio`` are ``None`` when the group is smaller than the
    reporting threshold (suppressed). ``ratio`` is the rate over the highest
    group's rate (the four-fifths rule). ``p_value`` is the two-sided p-value of
    the difference between the group and everyone else in the sample (a pooled
    two-proportion z-test). ``flagged`` marks a ratio under the four-fifths
    threshold whose difference is also statistically significant at the audit's
    level divided by the number of groups compared (Bonferroni): 29 CFR
    § 1607.4(D) asks for practical *and* statistical significance. A warning for
    human review, never a decision.
    """

    criterion: str
    label_column: str
    label: str
    applicants: int
    rate: float | None
    ratio: float | None
    flagged: bool
    p_value: float | None = None


@attrs.frozen
class AuditReport:
    """The audit's findings; ``ok`` is true when nothing changed and everything was checked.

    ``failures`` lists each criterion or agreement whose predicate failed, with
    the error's message (which names the plug-in and the criterion).
    ``lacking`` maps each subject the sample could not check to the fields it
    lacks; ``in_use`` names the criteria an agreement in force reads (the
    statutory one of red departments included) — a criterion outside it ranks
    nobody until an agreement names it.
    """

    on: dt.date
    applicants: int
    protected: tuple[str, ...]
    checks: tuple[AuditCheck, ...]
    unchecked: tuple[tuple[str, str], ...]
    impact: tuple[ImpactRow, ...]
    threshold: float
    min_group_size: int
    failures: tuple[tuple[str, str], ...] = ()
    lacking: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    in_use: frozenset[str] = frozenset()

    @property
    def violations(self) -> tuple[AuditCheck, ...]:
        """Checks where some applicant's result changed."""
        return tuple(c for c in self.checks if not c.ok)

    @property
    def warnings(self) -> tuple[ImpactRow, ...]:
        """Groups flagged by the four-fifths rule (for human review)."""
        return tuple(r for r in self.impact if r.flagged)

    @property
    def ok(self) -> bool:
        """No violation, no failure and no unchecked subject."""
        return not self.violations and not self.unchecked and not self.failures

    @property
    def complete(self) -> bool:
        """Whether every criterion and agreement in force could be checked on the sample."""
        return not self.unchecked

    @property
    def missing_fields(self) -> tuple[str, ...]:
        """Every field the sample lacks for the subjects it could not check, sorted."""
        return tuple(sorted({f for fields in self.lacking.values() for f in fields}))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (no applicant data)."""
        return {
            "on": self.on.isoformat(),
            "applicants": self.applicants,
            "protected_columns": list(self.protected),
            "ok": self.ok,
            "checks": [attrs.asdict(c) for c in self.checks],
            "violations": [attrs.asdict(c) for c in self.violations],
            "complete": self.complete,
            "unchecked": [
                {"subject": s, "reason": r, "lacks": list(self.lacking.get(s, ())),
                 "in_use": s in self.in_use or s.startswith("agreement ")}
                for s, r in self.unchecked
            ],
            "failures": [{"subject": s, "error": e} for s, e in self.failures],
            "four_fifths_threshold": self.threshold,
            "min_group_size": self.min_group_size,
            "impact": [attrs.asdict(r) for r in self.impact],
        }

    def lines(self) -> list[str]:
        """A readable report."""
        subjects = sorted({c.subject for c in self.checks})
        out = [
            f"Audit on {self.on.isoformat()}: {self.applicants:,} applicants, "
            f"protected columns: {', '.join(self.protected) or 'none (synthetic ones added)'}",
            f"  {len(subjects)} criteria and agreements checked against "
            f"{', '.join(_VARIANTS)} protected data",
        ]
        for check in self.violations:
            out.append(
                f"  VIOLATION: {check.kind} {check.subject}: "
                f"{counted(check.changed, 'result')} changed "
                f"({check.variant})"
            )
        out.extend(self._unchecked_lines())
        for subject, error in self.failures:
            out.append(f"  FAILED: {subject}: {error}")
        if self.ok:
            out.append("  no result depends on a protected column")
        elif self.checks and not self.violations and not self.failures:
            out.append(
                f"  no result of the {len(subjects)} checked depends on a protected column; "
                f"nothing is proven for the {len(self.unchecked)} not checked"
            )
        if self.impact:
            out.append(
                f"  Selection rates by group (ratio < {self.threshold} and a significant "
                f"difference flagged for human review; "
                f"groups under {self.min_group_size} suppressed):"
            )
            for row in self.warnings:
                out.append(
                    f"    review: {row.criterion} — {row.label_column}={row.label}: rate "
                    f"{row.rate:.1%}, ratio {row.ratio:.2f}, p = {row.p_value:.3g}"
                )
            if not self.warnings:
                out.append("    no ratio under the threshold")
        return out


    def _unchecked_lines(self) -> list[str]:
        """The subjects the sample could not check, grouped by the fields they lack."""
        if not self.unchecked:
            return []
        from fuaalborg.danish import header

        def named(fields: Sequence[str]) -> str:
            return ", ".join(f if header(f) == f else f"{f} ({header(f)})" for f in fields)

        groups: dict[tuple[str, ...], list[str]] = {}
        for subject, _reason in self.unchecked:
            groups.setdefault(self.lacking.get(subject, ()), []).append(subject)
        what = "nothing could be checked" if not self.checks else "nothing is proven for them"
        out = [f"  NOT CHECKED ({len(self.unchecked)}): they read fields the sample lacks, so "
               f"{what}:"]
        for fields, subjects in groups.items():
            unused = [s for s in subjects
                      if s not in self.in_use and not s.startswith("agreement ")]
            note = ("" if not unused else "; in no agreement in force" if unused == subjects
                    else f"; in no agreement in force: {', '.join(unused)}")
            out.append(f"    {', '.join(subjects)}: {named(fields) or 'fields'}{note}")
        out.append(f"  To check them, the sample needs the columns {named(self.missing_fields)}")
        return out


def priority_groups(
    registry: Registry, agreement: LettingAgreement, applicants: pd.DataFrame, on: dt.date
) -> pd.Series[int]:
    """The priority group of each applicant under an agreement: 1, 2, … or 0 (none).

    An applicant is in the first group whose criterion they meet. Groups that
    apply only to certain dwellings count here as if they applied (the audit
    asks whether any group depends on a protected column).
    """
    ids = list(agreement.group_ids)
    met = registry.evaluate_many(ids, applicants, on)[ids].to_numpy()
    any_met = met.any(axis=1)
    first = np.argmax(met, axis=1) + 1
    groups = np.where(any_met, first, 0).astype(np.int64)
    return pd.Series(groups, index=applicants.index, name="group", dtype="int64")


def _synthetic_values(n: int, rng: np.random.Generator, column: str) -> np.ndarray[Any, Any]:
    pool = np.array([f"synthetic-{column}-{i}" for i in range(7)], dtype=object)
    return pool[rng.integers(0, len(pool), size=n)]


def _variants(
    applicants: pd.DataFrame, protected: Sequence[str], seed: int
) -> dict[str, tuple[pd.DataFrame, np.ndarray[Any, Any] | None]]:
    rng = np.random.default_rng(seed)
    n = len(applicants)
    cols = list(protected) or ["name", "citizenship", "country_of_birth"]
    shuffled = applicants.copy()
    synthetic = applicants.copy()
    for col in cols:
        if col in applicants.columns:
            shuffled[col] = applicants[col].to_numpy()[rng.permutation(n)]
        else:
            shuffled[col] = _synthetic_values(n, rng, col)
        synthetic[col] = _synthetic_values(n, rng, col)
    removed = applicants.drop(columns=[c for c in protected if c in applicants.columns])
    order = rng.permutation(n)
    reordered = applicants.iloc[order]
    return {
        "shuffled": (shuffled, None),
        "synthetic": (synthetic, None),
        "removed": (removed, None),
        "row order": (reordered, order),
    }


def _compare(base: np.ndarray[Any, Any], other: pd.Series[Any], order: Any) -> int:
    values = other.to_numpy()
    if order is not None:
        back = np.empty_like(values)
        back[order] = values
        values = back
    return int((base != values).sum())


def audit(
    registry: Registry,
    applicants: pd.DataFrame,
    on: dt.date,
    *,
    labels: Sequence[str] | None = None,
    seed: int = 0,
) -> AuditReport:
    """Prove on ``applicants`` that no result depends on a protected column.

    ``labels`` names the protected columns to report selection rates by
    (default: every protected column in the sample with at most 50 distinct
    values). ``seed`` fixes the shuffles and synthetic values.
    """
    applicants = applicants.reset_index(drop=True)
    protected = tuple(protected_columns(applicants.columns))
    params = registry.parameters
    threshold = float(params.get("criteria.audit.four_fifths_ratio", on))
    alpha = float(params.get("criteria.audit.significance_level", on))
    min_size = int(params.get("criteria.audit.min_group_size", on))
    variants = _variants(applicants, protected, seed)
    present = set(map(str, applicants.columns))
    checks: list[AuditCheck] = []
    unchecked: list[tuple[str, str]] = []
    lacking: dict[str, tuple[str, ...]] = {}
    in_use = {
        part.id
        for agreement in registry.agreements if agreement.in_force(on)
        for group in agreement.group_ids for part in registry.parts(group)
    }
    base_results: dict[str, np.ndarray[Any, Any]] = {}
    failures: list[tuple[str, str]] = []
    failed: set[str] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumedTermsWarning)
        for crit in registry.in_force(on):
            missing = sorted(crit.reads - present)
            if missing:
                unchecked.append((crit.id, f"the sample lacks {', '.join(missing)}"))
                lacking[crit.id] = tuple(missing)
                continue
            try:
                base = registry.evaluate(crit.id, applicants, on).to_numpy()
                found = [
                    AuditCheck(
                        crit.id,
                        "criterion",
                        variant,
                        _compare(base, registry.evaluate(crit.id, frame, on), order),
                    )
                    for variant, (frame, order) in variants.items()
                ]
            except (PredicateError, MissingApplicantFieldError) as exc:
                failures.append((crit.id, str(exc)))
                failed.add(crit.id)
                continue
            base_results[crit.id] = base
            checks.extend(found)
        for number, agreement in enumerate(registry.agreements, start=1):
            if not agreement.in_force(on):
                continue
            subject = f"agreement {number} ({_who(agreement)})"
            parts = {c for g in agreement.group_ids for c in registry.parts(g)}
            needed = {f for c in parts for f in c.reads}
            if needed - present:
                unchecked.append(
                    (subject, f"the sample lacks {', '.join(sorted(needed - present))}")
                )
                lacking[subject] = tuple(sorted(needed - present))
                continue
            broken = sorted(c.id for c in parts if c.id in failed)
            if broken:
                failures.append((subject, f"its criteria {', '.join(broken)} failed"))
                continue
            try:
                base_group = priority_groups(registry, agreement, applicants, on).to_numpy()
                found = [
                    AuditCheck(
                        subject,
                        "agreement",
                        variant,
                        _compare(
                            base_group, priority_groups(registry, agreement, frame, on), order
                        ),
                    )
                    for variant, (frame, order) in variants.items()
                ]
            except (PredicateError, MissingApplicantFieldError) as exc:
                failures.append((subject, str(exc)))
                continue
            checks.extend(found)
    label_columns = (
        list(labels)
        if labels is not None
        else [
            c
            for c in protected
            if c not in _NEVER_LABELS and applicants[c].nunique(dropna=True) <= _MAX_LABELS
        ]
    )
    impact = _impact(base_results, applicants, label_columns, threshold, min_size, alpha)
    return AuditReport(
        on=on,
        applicants=len(applicants),
        protected=protected,
        checks=tuple(checks),
        unchecked=tuple(unchecked),
        impact=tuple(impact),
        threshold=threshold,
        min_group_size=min_size,
        failures=tuple(failures),
        lacking=lacking,
        in_use=frozenset(in_use),
    )


def _who(agreement: LettingAgreement) -> str:
    if agreement.organisation_cvr is None:
        return "statutory, red departments"
    return f"CVR {agreement.organisation_cvr}, {agreement.describe_departments()}"


def _two_proportion_p(rate_a: float, n_a: int, rate_b: float, n_b: int) -> float:
    """Two-sided p-value of the difference of two proportions (pooled z-test)."""
    if n_a == 0 or n_b == 0:
        return 1.0
    pooled = (rate_a * n_a + rate_b * n_b) / (n_a + n_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if spread == 0:
        return 1.0
    z = abs(rate_a - rate_b) / spread
    return math.erfc(z / math.sqrt(2))


def _impact(
    results: dict[str, np.ndarray[Any, Any]],
    applicants: pd.DataFrame,
    label_columns: Sequence[str],
    threshold: float,
    min_size: int,
    alpha: float,
) -> list[ImpactRow]:
    rows: list[ImpactRow] = []
    for column in label_columns:
        labels = applicants[column].astype("string").fillna("(missing)")
        for cid, met in results.items():
            table = pd.DataFrame({"label": labels.to_numpy(), "met": met})
            grouped = table.groupby("label", sort=True)["met"].agg(["size", "mean"])
            reportable = grouped[grouped["size"] >= min_size]
            best = float(reportable["mean"].max()) if len(reportable) else 0.0
            total, met_total = len(table), float(table["met"].sum())
            level = alpha / max(len(reportable), 1)
            small = int(grouped.loc[grouped["size"] < min_size, "size"].sum())
            for label, size, rate in zip(
                reportable.index, reportable["size"], reportable["mean"], strict=True
            ):
                ratio = float(rate) / best if best > 0 else 1.0
                rest = total - int(size)
                rest_rate = (met_total - float(rate) * int(size)) / rest if rest else 0.0
                p_value = _two_proportion_p(float(rate), int(size), rest_rate, rest)
                rows.append(
                    ImpactRow(
                        cid, column, str(label), int(size), float(rate), ratio,
                        ratio < threshold and p_value < level, p_value,
                    )
                )
            if small:
                rows.append(
                    ImpactRow(cid, column, f"(groups under {min_size})", small, None, None, False)
                )
    return rows
