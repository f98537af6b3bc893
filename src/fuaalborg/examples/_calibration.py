"""The figures the example municipality is calibrated to, read from the parameters.

The agreement states the size of the social housing stock in Aalborg
(afsnit 3 and bilag 3): 271 departments, 22,972 family dwellings plus 352 BAB
dwellings in 5 departments, 1,849 dwellings at most 3,500 kr a month (the BAB
dwellings included), 6,149 above 3,500 and at most 5,000 kr, and 194 and 380 of
those in prevention areas. The generator reads these figures from the
``agreement.figures.*`` parameters, and the rent-band edges from
``rent_bands.agreement``, so that it follows the cited values.

**Which list is meant by "prevention areas" (reading).** The figures were
counted on 11 March 2022. The list in force then is the one published on
1 December 2021, the first list with prevention areas (forebyggelsesområder,
ABL § 61 b). :attr:`Calibration.prevention_list_date` is derived from the
figures' date and the ministry's publication day
(``monitoring.calendar.ministry_lists``).

>>> cal = Calibration.from_parameters()
>>> cal.departments, cal.family_dwellings, cal.bab_dwellings
(271, 22972, 352)
>>> cal.prevention_list_date
datetime.date(2021, 12, 1)
"""

from __future__ import annotations

import datetime as dt

import attrs

from fuaalborg.errors import ValidationError
from fuaalborg.parameters import ParameterSet, load_parameters

__all__ = ["Calibration", "month_day", "reference_day"]


def reference_day(parameters: ParameterSet) -> dt.date:
    """The first day of the first agreement period (``agreement.period``)."""
    return min(v.start for v in parameters.history("agreement.period") if not v.ended)


def month_day(parameters: ParameterSet, name: str, year: int, on: dt.date) -> dt.date:
    """The date in ``year`` given by the ``MM-DD`` calendar parameter ``name``."""
    text = str(parameters.get(name, on))
    month, day = (int(part) for part in text.split("-"))
    return dt.date(year, month, day)


@attrs.frozen
class Calibration:
    """The agreement's figures that the example municipality reproduces exactly.

    ``counted_on`` is the date the figures refer to (11 March 2022);
    ``prevention_list_date`` is the ministry list in force on that date, whose
    prevention areas the ``*_in_prevention_areas`` figures refer to.
    ``rent_edges`` are the agreement's rent-band edges (kr/month); each band is
    closed on the right (``max. 3.500 kr.``).
    """

    departments: int
    family_dwellings: int
    bab_dwellings: int
    bab_departments: int
    cheap_dwellings: int
    cheap_dwellings_in_prevention_areas: int
    mid_rent_dwellings: int
    mid_rent_dwellings_in_prevention_areas: int
    counted_on: dt.date
    prevention_list_date: dt.date
    rent_edges: tuple[float, float]

    @property
    def dwellings(self) -> int:
        """Family dwellings plus BAB dwellings (23,324 in the agreement)."""
        return self.family_dwellings + self.bab_dwellings

    @classmethod
    def from_parameters(cls, parameters: ParameterSet | None = None) -> Calibration:
        """Read the figures from ``parameters`` (default: the bundled ones)."""
        params = parameters or load_parameters()
        start = reference_day(params)

        def figure(name: str) -> int:
            return int(params.get(f"agreement.figures.{name}", start))

        counted_on = params.lookup("agreement.figures.departments", start).start
        publication = month_day(params, "monitoring.calendar.ministry_lists", counted_on.year,
                                counted_on)
        if publication > counted_on:
            publication = publication.replace(year=counted_on.year - 1)
        bands = params.get("rent_bands.agreement", start)
        if bands["closed"] != "right" or len(bands["edges"]) != 2:
            raise ValidationError(
                "the example municipality expects two rent-band edges closed on the right "
                f"(rent_bands.agreement), got {bands!r}"
            )
        low, high = (float(e) for e in bands["edges"])
        return cls(
            departments=figure("departments"),
            family_dwellings=figure("family_dwellings"),
            bab_dwellings=figure("bab_dwellings"),
            bab_departments=figure("bab_departments"),
            cheap_dwellings=figure("cheap_dwellings"),
            cheap_dwellings_in_prevention_areas=figure("cheap_dwellings_in_prevention_areas"),
            mid_rent_dwellings=figure("mid_rent_dwellings"),
            mid_rent_dwellings_in_prevention_areas=figure(
                "mid_rent_dwellings_in_prevention_areas"
            ),
            counted_on=counted_on,
            prevention_list_date=publication,
            rent_edges=(low, high),
        )
