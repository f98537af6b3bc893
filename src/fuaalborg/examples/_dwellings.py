"""The example's dwellings: rooms, floor area and rent, calibrated to the rent bands.

Rooms follow each department's typical size, floor area follows the rooms,
and a first rent follows the floor area at the department's rent per m² (a
little lower in the older stock of the ministry areas). The rents are then
moved monotonically, so that their order (and so the correlation of rooms, m²
and rent) is kept while the agreement's band counts hold exactly: the cheapest
dwellings of the prevention areas fill the prevention figures, the cheapest of
the rest fill the remaining figures, and every BAB dwelling is cheap.

No rent lies on a band edge of either scheme, except :data:`EXACT_EDGE_RENTS`
dwellings set deliberately to exactly each agreement edge (3,500.00 and
5,000.00 kr), which belong to the lower band ("max. 3.500 kr.").
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from fuaalborg.errors import ValidationError
from fuaalborg.examples._calibration import Calibration

__all__ = ["EXACT_EDGE_RENTS", "dwelling_facts", "dwellings_frame"]

#: How many dwellings get a rent of exactly each agreement band edge.
EXACT_EDGE_RENTS = 3

# Generator knobs (not legal facts)
_MEAN_ROOMS = (2.3, 3.5)  # a department's typical number of rooms
_ROOMS_SD = 0.85
_MAX_ROOMS = 6
_M2_BASE, _M2_PER_ROOM, _M2_SD, _M2_MIN = 18.0, 20.0, 6.0, 28.0
_RENT_PER_M2, _RENT_PER_M2_SD, _RENT_PER_M2_RANGE = 70.0, 7.0, (52.0, 90.0)
_AREA_RENT_FACTOR = 0.9  # older, cheaper stock in the ministry areas
_DWELLING_RENT_SD = 0.06  # log-normal spread of one dwelling's rent
_BAB_ROOMS = (1, 4)  # half-open
_BAB_M2_BASE, _BAB_M2_PER_ROOM = 15.0, 18.0
_BAB_RENT_PER_M2, _BAB_RENT_FLOOR = 55.0, 1900.0
_BAB_MARGIN = 50.0  # BAB rents stay this far below the cheap edge


def _calibrate(raw: np.ndarray, n_cheap: int, n_mid: int, e1: float, e2: float) -> np.ndarray:
    """Move ``raw`` rents monotonically so exactly n_cheap are <= e1 and n_mid in (e1, e2]."""
    n = len(raw)
    if n_cheap + n_mid > n or n_cheap < 0 or n_mid < 0:
        raise ValidationError(
            f"the example cannot place {n_cheap} cheap and {n_mid} mid-rent dwellings "
            f"among {n} dwellings"
        )
    order = np.argsort(raw, kind="stable")
    band = np.empty(n, dtype=np.int64)
    band[order[:n_cheap]] = 0
    band[order[n_cheap : n_cheap + n_mid]] = 1
    band[order[n_cheap + n_mid :]] = 2
    s = raw[order]
    t1 = (s[n_cheap - 1] + s[n_cheap]) / 2 if 0 < n_cheap < n else (
        s[0] / 2 if n_cheap == 0 else s[-1] + 1
    )
    k = n_cheap + n_mid
    t2 = (s[k - 1] + s[k]) / 2 if 0 < k < n else (t1 + 1 if k == 0 else max(s[-1], t1) + 1)
    t2 = max(t2, t1 + 1)
    rent = np.where(
        raw <= t1,
        raw * e1 / t1,
        np.where(raw <= t2, e1 + (raw - t1) / (t2 - t1) * (e2 - e1), e2 + (raw - t2)),
    )
    rent = np.round(rent)
    rent = np.where(band == 0, np.minimum(rent, e1 - 1), rent)
    rent = np.where(band == 1, np.clip(rent, e1 + 1, e2 - 1), rent)
    calibrated: np.ndarray = np.where(band == 2, np.maximum(rent, e2 + 1), rent)
    return calibrated


def _off_edges(rent: np.ndarray, edges: Collection[float]) -> np.ndarray:
    """Move rents that fall on an edge of another scheme one krone up."""
    on_edge = np.isin(rent, np.asarray(sorted(edges), dtype=float))
    return np.where(on_edge, rent + 1, rent)


def dwellings_frame(
    rng: np.random.Generator,
    departments: pd.DataFrame,
    ministry_area_ids: Collection[str],
    prevention_area_ids: Collection[str],
    cal: Calibration,
    other_edges: Sequence[float] = (),
) -> pd.DataFrame:
    """One row per dwelling of every department, calibrated to ``cal`` exactly.

    ``other_edges`` are band edges of other schemes (Landsbyggefonden's) that
    rents should not fall on either.
    """
    family = departments["family_dwellings"].to_numpy(dtype=np.int64)
    bab = departments["bab_dwellings"].to_numpy(dtype=np.int64)
    total = family + bab
    n_dep, n = len(departments), int(total.sum())
    dep = np.repeat(np.arange(n_dep), total)
    starts = np.repeat(np.cumsum(total) - total, total)
    k = np.arange(n) - starts
    is_bab = k >= family[dep]

    mean_rooms = rng.uniform(*_MEAN_ROOMS, size=n_dep)
    rooms = np.clip(np.round(mean_rooms[dep] + rng.normal(0, _ROOMS_SD, n)), 1, _MAX_ROOMS)
    rooms = np.where(is_bab, rng.integers(*_BAB_ROOMS, size=n), rooms).astype(np.int64)
    m2 = np.where(
        is_bab,
        _BAB_M2_BASE + _BAB_M2_PER_ROOM * rooms + rng.normal(0, _M2_SD / 2, n),
        _M2_BASE + _M2_PER_ROOM * rooms + rng.normal(0, _M2_SD, n),
    )
    m2 = np.round(np.maximum(m2, _M2_MIN), 1)

    area = departments["area_id"]
    in_ministry = area.isin(list(ministry_area_ids)).fillna(False).to_numpy(dtype=bool)
    in_prevention = area.isin(list(prevention_area_ids)).fillna(False).to_numpy(dtype=bool)
    rate = np.clip(rng.normal(_RENT_PER_M2, _RENT_PER_M2_SD, n_dep), *_RENT_PER_M2_RANGE)
    rate = np.where(in_ministry, rate * _AREA_RENT_FACTOR, rate)
    raw = m2 * rate[dep] * rng.lognormal(0, _DWELLING_RENT_SD, n)

    e1, e2 = cal.rent_edges
    rent = np.empty(n)
    bab_rent = _BAB_RENT_PER_M2 * m2 + rng.normal(0, 100, n)
    rent[is_bab] = np.round(np.clip(bab_rent[is_bab], _BAB_RENT_FLOOR, e1 - _BAB_MARGIN))
    if in_prevention[dep][is_bab].any():
        raise ValidationError("the example places no BAB dwelling in a prevention area")

    prevention = in_prevention[dep] & ~is_bab
    rest = ~in_prevention[dep] & ~is_bab
    cheap_p = cal.cheap_dwellings_in_prevention_areas
    mid_p = cal.mid_rent_dwellings_in_prevention_areas
    rent[prevention] = _calibrate(raw[prevention], cheap_p, mid_p, e1, e2)
    rent[rest] = _calibrate(
        raw[rest],
        cal.cheap_dwellings - cal.bab_dwellings - cheap_p,
        cal.mid_rent_dwellings - mid_p,
        e1,
        e2,
    )
    rent = _off_edges(rent, [e for e in other_edges if e not in (e1, e2)])

    # a few rents deliberately exactly on the agreement's edges (lower band)
    rest_idx = np.flatnonzero(rest)
    for lo, hi in ((-np.inf, e1), (e1, e2)):
        in_band = rest_idx[(rent[rest_idx] > lo) & (rent[rest_idx] <= hi)]
        top = in_band[np.argsort(rent[in_band], kind="stable")[-EXACT_EDGE_RENTS:]]
        rent[top] = hi

    dep_ids = departments["department_id"].to_numpy()[dep]
    return pd.DataFrame(
        {
            "dwelling_id": pd.Series(dep_ids).str.cat(
                pd.Series(k + 1).map("{:04d}".format), sep="-"
            ),
            "department_id": dep_ids,
            "kind": np.where(is_bab, "bab", "family"),
            "rooms": rooms,
            "area_m2": m2,
            "monthly_rent_dkk": rent.astype(float),
        }
    )


# Knobs of the dwelling facts (not legal facts): the building forms of the departments,
# their storeys, and how many small dwellings are earmarked for seniors, the young, or
# people with disabilities.
_FORMS = ("terraced", "walk-up", "tower")
_FORM_SHARES = (0.35, 0.5, 0.15)  # tæt-lav; etagebyggeri of 2–4 storeys; 5–8 storeys
_WALK_UP_STOREYS = (2, 5)  # half-open
_TOWER_STOREYS = (5, 9)
_WALK_UP_LIFT = 0.2  # share of walk-up departments with a lift (the newer ones)
_SMALL_ROOMS = 2  # at most this many rooms: may be earmarked for seniors or the young
_SENIOR, _YOUTH, _ACCESSIBLE = 0.08, 0.08, 0.02


def dwelling_facts(
    rng: np.random.Generator, departments: pd.DataFrame, dwellings: pd.DataFrame
) -> pd.DataFrame:
    """The floor, dwelling type and lift of every dwelling of :func:`dwellings_frame`.

    Each department gets a building form — terraced houses (every dwelling on
    the ground floor, no lift), walk-ups of 2–4 storeys (a lift in the newer
    fifth of them) or towers of 5–8 storeys (always a lift) — and each dwelling
    a floor of its building. Small family dwellings (at most two rooms) are in
    part earmarked for seniors or for the young, and a few dwellings that can be
    reached without stairs are accessible ones. Drawn from ``rng`` alone, so
    the dwellings' rooms, floor areas and rents (and every calibrated figure)
    are the same with or without these facts.
    """
    n_dep, n = len(departments), len(dwellings)
    form = rng.choice(len(_FORMS), size=n_dep, p=_FORM_SHARES)
    storeys = np.where(
        form == 0, 1,
        np.where(form == 1, rng.integers(*_WALK_UP_STOREYS, size=n_dep),
                 rng.integers(*_TOWER_STOREYS, size=n_dep)),
    )
    lift = np.where(form == 2, True, np.where(form == 1, rng.random(n_dep) < _WALK_UP_LIFT,
                                                False))
    position = pd.Index(departments["department_id"]).get_indexer(dwellings["department_id"])
    if (position < 0).any():
        raise ValidationError("every example dwelling belongs to an example department")
    floor = np.floor(rng.random(n) * storeys[position]).astype(np.int64)
    reached = (floor == 0) | lift[position]
    small = dwellings["rooms"].to_numpy() <= _SMALL_ROOMS
    family = dwellings["kind"].to_numpy() == "family"
    draw = rng.random(n)
    kind = np.full(n, "family", dtype=object)
    kind[family & small & reached & (draw < _SENIOR)] = "senior"
    kind[family & small & (draw >= _SENIOR) & (draw < _SENIOR + _YOUTH)] = "youth"
    kind[family & ~small & reached & (draw >= 1 - _ACCESSIBLE)] = "accessible"
    return pd.DataFrame(
        {
            "floor": floor,
            "dwelling_type": pd.array(kind, dtype="string"),
            "lift": lift[position],
        },
        index=dwellings.index,
    )
