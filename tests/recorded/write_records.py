"""Write the recorded rankings kept in this folder (run once; the files are the fixture).

Each case is a waiting list (``<case>.csv``, read with the column types in
``<case>.expected.json``), the decision record the ranking wrote
(``<case>.record.json``) and what that ranking showed: its frame, its
ineligible rows, its notices and the explanation of every applicant in Danish
and English (``<case>.expected.json``). ``tests/test_ranking_recorded.py``
replays each record against its waiting list and compares.

The files in this folder were written by fuaalborg 0.1.0 before the ranking
kept its facts in one ``RankingBasis`` and took its text columns by position.
Running this script again writes records of the code at hand: use it for new
cases, never to refresh these (that would defeat their purpose)::

    python tests/recorded/write_records.py OUT_DIR
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from fuaalborg.criteria import DwellingCondition, LettingAgreement, PriorityGroup  # noqa: E402
from fuaalborg.criteria.registry import load  # noqa: E402
from fuaalborg.letting.ranking import Ranking, rank  # noqa: E402
from fuaalborg.letting.vacancy import Vacancy  # noqa: E402
from ranking_support import read_recorded_waiting_list  # noqa: E402

ON = dt.date(2024, 6, 1)
CVR = "31831814"
LEVELS = ("basic", "upper_secondary", "vocational", "short_higher", "higher")
BENEFITS = ("none", "other", "cash_benefit", "education_benefit")


def waiting_list(n: int, seed: int, ids: str = "text") -> tuple[pd.DataFrame, dict[str, str]]:
    """``n`` rows: duplicates across lists, ties in seniority, missing optional values."""
    rng = np.random.default_rng(seed)
    people = int(n * 0.8)
    person = np.concatenate([np.arange(people), rng.choice(people, n - people, replace=False)])
    first = np.arange(n) < people
    lists = np.where(first, rng.choice(["internal", "external"], n, p=[0.3, 0.7]), "internal")
    twice = set(person[~first].tolist())
    lists = np.where(first & np.isin(person, list(twice)), "external", lists)
    if ids == "text":
        applicant: Any = [f"A{p:04d}" for p in person]
        id_type = "string"
    elif ids == "int":
        applicant = (person * 7 + 1001).astype(np.int64)
        id_type = "int64"
    else:  # ids that are not short ASCII: Danish letters, different lengths
        names = ["Øster", "ålborg", "Æble", "Zeta", "aa", "Bø", "bo"]
        applicant = [f"{names[p % len(names)]}-{p:03d}" + ("x" * (p % 5) * 9) for p in person]
        id_type = "string"
    # few distinct dates: ties between different applicants
    days = rng.integers(0, 40, n) * 30
    seniority = np.datetime64("2005-01-01") + days.astype("timedelta64[D]")
    late = rng.random(n) < 0.05  # seniority after the ranking date, before today
    seniority = np.where(late, np.datetime64("2024-09-01"), seniority)

    def maybe(values: Any, share: float = 0.1) -> list[Any]:
        out = list(values)
        for i in np.flatnonzero(rng.random(n) < share):
            out[i] = None
        return out

    frame = pd.DataFrame(
        {
            "applicant_id": applicant,
            "list": lists,
            "seniority_date": pd.Series(seniority).dt.strftime("%Y-%m-%d"),
            "household_size": rng.integers(1, 8, n),
            "active": rng.random(n) < 0.9,
            "children": rng.integers(0, 3, n),
            "age": rng.integers(18, 80, n),
            "current_department_id": maybe(rng.choice(["D1", "D2", "D3"], n), 0.4),
            "min_rooms": maybe(rng.integers(1, 4, n), 0.5),
            "max_rent_dkk": maybe(rng.choice([4000.0, 6000.0, 9000.5], n), 0.5),
            "wanted_department_ids": maybe(rng.choice(["D1", "D1;D2", "D2", " D1 ; D3", ""], n),
                                           0.3),
            "criminal_record_clean": maybe(rng.random(n) < 0.8),
            "highest_education": maybe(rng.choice(LEVELS, n)),
            "in_education": rng.random(n) < 0.2,
            "apprentice": rng.random(n) < 0.05,
            "partner_in_education": rng.random(n) < 0.05,
            "employment_hours_per_week": maybe(rng.choice([0.0, 15.0, 30.0, 37.0], n)),
            "employment_permanent": maybe(rng.random(n) < 0.5),
            "fixed_term_months": maybe(rng.choice([0.0, 3.0, 12.0], n), 0.5),
            "wage_subsidy": rng.random(n) < 0.05,
            "self_employed_cvr": maybe(rng.choice(["31831814", "12345678"], n), 0.9),
            "partner_employment_hours_per_week": maybe(rng.choice([0.0, 37.0], n), 0.3),
            "partner_employment_permanent": maybe(rng.random(n) < 0.5, 0.3),
            "benefit_received": maybe(rng.choice(BENEFITS, n)),
            "partner_benefit_received": maybe(rng.choice([*BENEFITS, "no_partner"], n)),
            "s51c_dispensation": rng.random(n) < 0.1,
            "name": rng.choice(["Anna", "Ali", "Jens", "Mette"], n),
        }
    )
    types = {
        "applicant_id": id_type, "list": "string", "seniority_date": "date",
        "household_size": "int64", "active": "bool", "children": "int64", "age": "int64",
        "current_department_id": "string", "min_rooms": "Int64", "max_rent_dkk": "float64",
        "wanted_department_ids": "string", "criminal_record_clean": "boolean",
        "highest_education": "string", "in_education": "bool", "apprentice": "bool",
        "partner_in_education": "bool", "employment_hours_per_week": "float64",
        "employment_permanent": "boolean", "fixed_term_months": "float64",
        "wage_subsidy": "bool", "self_employed_cvr": "string",
        "partner_employment_hours_per_week": "float64",
        "partner_employment_permanent": "boolean", "benefit_received": "string",
        "partner_benefit_received": "string", "s51c_dispensation": "bool", "name": "string",
    }
    return frame, types


def shown(ranking: Ranking) -> dict[str, Any]:
    """What the ranking showed, in plain JSON."""
    frame = ranking.frame
    bad = ranking.ineligible
    ids = list(dict.fromkeys([*frame["applicant_id"].tolist(), *bad["applicant_id"].tolist()]))
    return {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "frame": [
            [int(r.rank), str(r.applicant_id), str(r.list),
             None if pd.isna(r.group) else int(r.group), str(r.criteria_met),
             r.seniority_date.date().isoformat(), int(r.sort_key)]
            for r in frame.itertuples(index=False)
        ],
        "ineligible": [
            [str(r.applicant_id), str(r.list), str(r.reason), str(r.reasons)]
            for r in bad.itertuples(index=False)
        ],
        "eligible_count": ranking.eligible_count,
        "notices": list(ranking.notices),
        "positions": {str(i): ranking.position_of(i) for i in ids},
        "explain": {str(i): {"da": ranking.explain(i, "da"), "en": ranking.explain(i, "en")}
                    for i in ids},
        "reason_text": ranking.table(include_ineligible=True, lang="da")["reason_text"].tolist(),
    }


def cases() -> dict[str, tuple[int, int, str, dict[str, Any]]]:
    """case name: (rows, seed, id kind, rank keywords)."""
    registry = load(entry_points=False)
    flexible = LettingAgreement(
        organisation_cvr=CVR, departments=("D1",),
        groups=("clean_criminal_record", "education_above_basic", "families_with_children"),
        flexible_share=1.0, legal_basis="Bilag 4 (recorded test)",
        valid_from=dt.date(2020, 1, 1), valid_until=None, children_first_for_rooms=3,
        internal_moves_exempt=True,
    )
    young_old = LettingAgreement(
        organisation_cvr=CVR, departments=("D1",), groups=("young", "senior"),
        flexible_share=1.0, legal_basis="Bilag 4 (recorded test)",
        valid_from=dt.date(2020, 1, 1), valid_until=None,
    )
    conditions = LettingAgreement(
        organisation_cvr=CVR, departments=("D1",),
        groups=(
            PriorityGroup("senior", applies_to=[DwellingCondition(floor=0), "lift = true"]),
            PriorityGroup("education", applies_to="dwelling_type = youth"),
            PriorityGroup("families_with_children", applies_to=DwellingCondition(min_rooms=4)),
        ),
        flexible_share=1.0, legal_basis="Almenboligloven § 60, stk. 1; bilag 4 (recorded test)",
        valid_from=dt.date(2024, 1, 1), valid_until=None,
    )
    vac = Vacancy("D1", rooms=2, monthly_rent_dkk=6500, vacant_on=ON)
    big = Vacancy("D1", rooms=3, monthly_rent_dkk=5000, vacant_on=ON)
    ground = Vacancy("D1", rooms=4, monthly_rent_dkk=5500, vacant_on=ON, floor=0,
                     dwelling_type="family", lift=False)
    return {
        "ordinary-wishes": (60, 11, "text", {"vacancy": vac, "route": "ordinary"}),
        "flexible-internal-turn": (60, 12, "text", {
            "vacancy": big, "route": "flexible", "turn": "internal", "registry": registry,
            "agreement": flexible}),
        "flexible-external-top": (60, 13, "text", {
            "vacancy": vac, "route": "flexible", "turn": "external", "top": 7,
            "registry": registry, "agreement": young_old}),
        "red-mandatory": (60, 14, "text", {
            "vacancy": big, "registry": registry, "colour": "red", "organisation_cvr": CVR}),
        "s51c-omdannelse": (60, 15, "text", {
            "vacancy": vac, "route": "ordinary", "designation": "omdannelse"}),
        "dwelling-conditions": (60, 16, "text", {
            "vacancy": ground, "route": "flexible", "registry": registry,
            "agreement": conditions}),
        "integer-ids": (60, 17, "int", {"vacancy": big, "route": "ordinary", "turn": "internal"}),
        "danish-letter-ids": (60, 18, "unicode", {
            "vacancy": big, "route": "flexible", "turn": "internal", "registry": registry,
            "agreement": flexible}),
    }


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, (n, seed, ids, kw) in cases().items():
        frame, types = waiting_list(n, seed, ids)
        path = out / f"{name}.csv"
        frame.to_csv(path, index=False)
        read = read_recorded_waiting_list(path, types)
        vacancy = kw.pop("vacancy")
        ranking = rank(read, vacancy, **kw)
        (out / f"{name}.record.json").write_text(ranking.record.to_json() + "\n",
                                                 encoding="utf-8")
        expected = {"types": types, **shown(ranking)}
        (out / f"{name}.expected.json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"{name}: {len(ranking.frame)} ranked, {len(ranking.ineligible)} ineligible")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
