"""Monitoring: the ministry's area lists and the step model (trappetrinsmodel).

- :mod:`~fuaalborg.monitoring.lists`: :func:`classify_areas` against
  almenboligloven § 61 a and § 61 b, by law version;
- :mod:`~fuaalborg.monitoring.steps`: :class:`StepModel`, its presets and
  :class:`Placement` (the colour of every department, with its reason);
- :mod:`~fuaalborg.monitoring.meaning`: :func:`rules_for`, what a colour means;
- :mod:`~fuaalborg.monitoring.calendar`: the monitoring calendar, the
  agreement's duties and deadlines (:func:`agreement_calendar`) and the
  placement in force on a date (:func:`placement_on`);
- :mod:`~fuaalborg.monitoring.designations`: the designation of a department's
  area on the list in force;
- :mod:`~fuaalborg.monitoring.overview`: the overview of red and yellow
  departments per organisation and the staircase figure.
"""

from fuaalborg.monitoring.calendar import (
    AgreementCalendar,
    Duty,
    ScheduledUpdate,
    agreement_calendar,
    colour_on,
    last_update,
    next_update,
    placement_in_force,
    placement_on,
    scheduled_updates,
)
from fuaalborg.monitoring.lists import (
    AREA_INDICATORS,
    LIST_NAMES,
    ListRules,
    NoListRulesError,
    classify_areas,
    compare_with_lists,
    list_rules,
)
from fuaalborg.monitoring.meaning import ColourRules, rules_for
from fuaalborg.monitoring.overview import (
    changes,
    overview,
    overview_summary,
    staircase_figure,
)
from fuaalborg.monitoring.steps import (
    COLOURS,
    ETHNICITY_COLUMNS,
    ETHNICITY_NOTICE,
    ETHNICITY_NOTICE_DA,
    ConflictingSteps,
    NoStepApplies,
    Placement,
    PresetError,
    Step,
    StepModel,
    compare_placements,
    preset_names,
)

__all__ = [
    "AREA_INDICATORS",
    "COLOURS",
    "ETHNICITY_COLUMNS",
    "ETHNICITY_NOTICE",
    "ETHNICITY_NOTICE_DA",
    "LIST_NAMES",
    "AgreementCalendar",
    "ColourRules",
    "ConflictingSteps",
    "Duty",
    "ListRules",
    "NoListRulesError",
    "NoStepApplies",
    "Placement",
    "PresetError",
    "ScheduledUpdate",
    "Step",
    "StepModel",
    "agreement_calendar",
    "changes",
    "classify_areas",
    "colour_on",
    "compare_placements",
    "compare_with_lists",
    "last_update",
    "list_rules",
    "next_update",
    "overview",
    "overview_summary",
    "placement_in_force",
    "placement_on",
    "preset_names",
    "rules_for",
    "scheduled_updates",
    "staircase_figure",
]
