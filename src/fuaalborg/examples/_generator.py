"""The generator of the example municipality: deterministic for a given seed.

:func:`generate` builds every table from one seed. Each table draws from its
own child stream of :class:`numpy.random.SeedSequence`, so the same seed gives
the same frames, value for value, and a change to one table's generator does
not shift the others. The dwellings' floor, dwelling type and lift have a
stream of their own, added last: the rooms, areas and rents did not move when
they came.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fuaalborg.examples._applicants import applicants_frame
from fuaalborg.examples._calibration import Calibration, reference_day
from fuaalborg.examples._dwellings import dwelling_facts, dwellings_frame
from fuaalborg.examples._indicators import indicators_frame
from fuaalborg.examples._structure import (
    area_indicators_frame,
    departments_frame,
    lists_frame,
    organisations_frame,
)
from fuaalborg.municipality import Municipality
from fuaalborg.parameters import ParameterSet, load_parameters

__all__ = ["DEFAULT_SEED", "NAME", "generate"]

#: The fixed seed of the bundled example municipality.
DEFAULT_SEED = 20_230_101
#: The example municipality's name; it says that the data are synthetic.
NAME = "Eksempelkommune (syntetisk)"

# A new stream goes at the end: each stream is the child of its position, so the others
# draw the same numbers as before.
_STREAMS = ("structure", "area_indicators", "dwellings", "indicators", "applicants", "protected",
            "dwelling_facts")


def generate(seed: int = DEFAULT_SEED, *, parameters: ParameterSet | None = None) -> Municipality:
    """Generate the synthetic example municipality (eksempelkommune) from ``seed``.

    The same seed gives the same tables, value for value. The counts are
    calibrated exactly to the agreement's figures in ``parameters`` (default:
    the bundled ones; see :class:`~fuaalborg.examples.Calibration`)
    whatever the seed. The result is validated like any municipality's data.

    >>> municipality = generate(seed=7)
    >>> municipality.synthetic, len(municipality.departments), len(municipality.dwellings)
    (True, 271, 23324)
    """
    params = parameters or load_parameters()
    cal = Calibration.from_parameters(params)
    streams = dict(
        zip(
            _STREAMS,
            (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(_STREAMS))),
            strict=True,
        )
    )
    start = reference_day(params)
    min_18_64 = int(params.get("monitoring.twin_tool.min_residents_18_64", start))

    organisations = organisations_frame()
    departments, areas = departments_frame(
        streams["structure"], cal, organisations, min_18_64
    )
    lists = lists_frame(areas, params)
    area_indicators = area_indicators_frame(streams["area_indicators"], areas, cal, params)

    on_prevention_list = lists.loc[
        (lists["list_date"] == pd.Timestamp(cal.prevention_list_date))
        & (lists["designation"] == "forebyggelse"),
        "area_id",
    ]
    ministry = areas.loc[areas["kind"] == "ministry", "area_id"]
    lbf_edges = [float(e) for e in params.get("rent_bands.lbf", start)["edges"]]
    dwellings = dwellings_frame(
        streams["dwellings"],
        departments,
        set(ministry),
        set(on_prevention_list),
        cal,
        other_edges=lbf_edges,
    )
    dwellings = dwellings.join(dwelling_facts(streams["dwelling_facts"], departments, dwellings))
    indicators = indicators_frame(streams["indicators"], departments, areas, params)
    applicants = applicants_frame(streams["applicants"], streams["protected"], departments)
    return Municipality.from_frames(
        organisations=organisations,
        departments=departments,
        dwellings=dwellings,
        areas=areas,
        indicators=indicators,
        lists=lists,
        applicants=applicants,
        area_indicators=area_indicators,
        name=NAME,
        synthetic=True,
    )
