"""The demonstrations' vacancy stream is the simulation's draw, read back onto the dwellings."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from fuaalborg import examples
from fuaalborg.municipality import Municipality
from fuaalborg.simulation.arrivals import Stock, draw_year, vacancy_stream

START = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def municipality() -> Municipality:
    return examples.load()


def test_each_vacancy_is_a_real_dwelling_of_its_department_in_date_order(
    municipality: Municipality,
) -> None:
    stream = vacancy_stream(municipality, START, 90, turnover_pct=20.0, seed=5)
    dwellings = municipality.dwellings.set_index("dwelling_id")
    for column in ("department_id", "kind", "monthly_rent_dkk", "rooms"):
        assert stream[column].tolist() == dwellings.loc[stream["dwelling_id"], column].tolist()
    days = pd.Series([(d - START).days for d in stream["vacant_on"]])
    assert days.between(0, 89).all()
    assert days.is_monotonic_increasing
    assert stream["vacancy_id"].is_unique
    # Poisson with mean dwellings × 20 % × 90/365: within five standard deviations
    mean = len(dwellings) * 0.20 * 90 / 365
    assert abs(len(stream) - mean) < 5 * np.sqrt(mean)


def test_the_stream_is_the_simulations_draw_of_the_same_seed(municipality: Municipality) -> None:
    stream = vacancy_stream(municipality, START, 365, turnover_pct=13.7, seed=11)
    dwellings = municipality.dwellings
    stock = Stock.from_frame(dwellings, list(dict.fromkeys(dwellings["department_id"])))
    drawn = draw_year(stock, stock.size * 0.137, 365, np.random.default_rng(11))
    assert stock.row is not None
    assert len(stream) == len(drawn.day)
    expected = sorted(zip(drawn.day.tolist(),
                          dwellings["dwelling_id"].iloc[stock.row[drawn.dwelling]], strict=True))
    got = [((d - START).days, w) for d, w in zip(stream["vacant_on"], stream["dwelling_id"],
                                                 strict=True)]
    assert got == expected
    assert vacancy_stream(municipality, START, 365, turnover_pct=13.7, seed=11).equals(stream)
