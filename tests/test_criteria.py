"""Flexible-letting criteria: loading, the firewall, built-ins, agreements, named errors."""

from __future__ import annotations

import datetime as dt
import types
import warnings

import pandas as pd
import pytest

from fuaalborg.criteria import (
    AllDepartments,
    ByColour,
    Criterion,
    DiscriminatoryCriterionError,
    LettingAgreement,
    PluginLoadError,
    PredicateError,
    hookimpl,
    load,
)
from fuaalborg.criteria.errors import (
    ConflictingAgreementsError,
    CriterionAccessError,
    CriterionNotFoundError,
    CriterionResultError,
    DiscriminatoryFieldError,
    DuplicateCriterionError,
    DuplicateFieldError,
    ForeignDepartmentError,
    InvalidAgreementError,
    InvalidCriterionError,
    InvalidDatesError,
    InvalidFieldError,
    InvalidHookError,
    InvalidHookResultError,
    MissingApplicantFieldError,
    MissingLegalBasisError,
    ParameterConflictError,
    PluginHookError,
    PluginNotFoundError,
    PluginParameterFileError,
    UnknownCriterionError,
    UnknownDepartmentError,
    UnknownFieldError,
    UnknownParameterError,
)
from fuaalborg.criteria.testing import assert_refused, load_plugin, synthetic_applicants
from fuaalborg.criteria.vocabulary import APPLICANTS, ApplicantField
from fuaalborg.errors import FuaalborgError, NotInForceError
from fuaalborg.tables import TableValidationError

ON = dt.date(2024, 5, 1)
CVR = "12011814"  # a party to the agreement; used only as a valid organisation CVR in tests
OTHER_CVR = "31831814"
BASIS = "Almenboligloven § 60, stk. 1"


def crit(id: str = "acme.c", reads: object = ("children",), **kw: object) -> Criterion:
    def predicate(frame: pd.DataFrame) -> pd.Series[bool]:
        return frame[sorted(frame.columns)[0]].notna()

    opts: dict[str, object] = {
        "id": id,
        "title": "t",
        "reads": reads,
        "predicate": predicate,
        "legal_basis": BASIS,
    }
    opts.update(kw)
    return Criterion(**opts)  # type: ignore[arg-type]


def agreement(**kw: object) -> LettingAgreement:
    opts: dict[str, object] = {
        "organisation_cvr": CVR,
        "departments": AllDepartments(),
        "groups": ("families_with_children",),
        "flexible_share": 0.5,
        "legal_basis": BASIS,
        "valid_from": dt.date(2023, 1, 1),
        "valid_until": dt.date(2025, 12, 31),
    }
    opts.update(kw)
    return LettingAgreement(**opts)  # type: ignore[arg-type]


def plugin(
    name: str = "acme",
    criteria: list[object] | None = None,
    agreements: list[object] | None = None,
    fields: list[object] | None = None,
    files: list[object] | None = None,
    organisation: str | None = CVR,
) -> types.SimpleNamespace:
    ns = types.SimpleNamespace(__name__=name)
    if organisation is not None:
        ns.ORGANISATION_CVR = organisation
    if criteria is not None:
        ns.register_criteria = hookimpl(lambda: criteria)
    if agreements is not None:
        ns.register_letting_agreements = hookimpl(lambda: agreements)
    if fields is not None:
        ns.register_applicant_fields = hookimpl(lambda: fields)
    if files is not None:
        ns.register_parameter_files = hookimpl(lambda: files)
    return ns


DEPARTMENTS = pd.DataFrame(
    {"department_id": ["d1", "d2", "d3"], "organisation_cvr": [CVR, CVR, OTHER_CVR]}
)


# -- loading ---------------------------------------------------------------------------


def test_builtin_criteria_load_with_entry_points_off() -> None:
    registry = load(entry_points=False)
    assert "employment_or_education" in registry.criteria
    assert registry.plugins[0].builtin
    assert all(c.legal_basis for c in registry.criteria.values())


def test_builtins_cannot_be_disabled_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUAALBORG_DISABLE_PLUGINS", "fuaalborg")
    assert "employment_or_education" in load().criteria


def test_unknown_distribution_in_env_is_a_named_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUAALBORG_PLUGINS", "no-such-criteria-package")
    with pytest.raises(PluginLoadError) as info:
        load()
    assert info.group_contains(PluginNotFoundError)


def test_all_problems_are_reported_at_once() -> None:
    bad = plugin(criteria=[crit("acme.a", reads={"citizenship"}), crit("acme.b", reads={"shoe"})])
    with pytest.raises(PluginLoadError) as info:
        load_plugin(bad)
    kinds = {type(p) for p in info.value.problems}
    assert {DiscriminatoryCriterionError, UnknownFieldError} <= kinds
    assert isinstance(info.value, FuaalborgError)
    text = str(info.value)
    assert "acme.a" in text
    assert "citizenship" in text
    assert "acme.b" in text
    assert "'acme'" in text


def test_errors_name_plugin_criterion_and_field() -> None:
    group = assert_refused(
        plugin("fjord", criteria=[crit("fjord.x", reads={"country_of_birth"})]),
        DiscriminatoryCriterionError,
    )
    problem = group.problems[0]
    assert problem.plugin == "fjord"
    assert problem.subject == "criterion 'fjord.x'"
    assert "country_of_birth" in str(problem)


# -- named errors for each bad-plug-in case ----------------------------------------------


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (plugin(criteria=[crit(reads={"religion"})]), DiscriminatoryCriterionError),
        (plugin(criteria=[crit(reads={"statsborgerskab"})]), DiscriminatoryCriterionError),
        (plugin(criteria=[crit(reads={"shoe_size"})]), UnknownFieldError),
        (plugin(criteria=[crit("Bad Id")]), InvalidCriterionError),
        (plugin(criteria=[crit(reads=())]), InvalidCriterionError),
        (plugin(criteria=[crit(title=" ")]), InvalidCriterionError),
        (plugin(criteria=[crit(predicate="not callable")]), InvalidCriterionError),
        (plugin(criteria=[crit(predicate=lambda f, p: f)]), InvalidCriterionError),
        (plugin(criteria=[crit(legal_basis="")]), MissingLegalBasisError),
        (
            plugin(
                criteria=[crit(valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2024, 1, 1))]
            ),
            InvalidDatesError,
        ),
        (plugin(criteria=[crit(valid_from="2024-01-01")]), InvalidDatesError),
        (
            plugin(criteria=[crit(parameters=("acme.nothing",), predicate=lambda f, p: f)]),
            UnknownParameterError,
        ),
        (plugin(criteria=[crit("employment")]), DuplicateCriterionError),
        (plugin(criteria=[crit("acme.a"), crit("acme.a")]), DuplicateCriterionError),
        (plugin(criteria="not a list"), InvalidHookResultError),
        (plugin(criteria=["not a criterion"]), InvalidHookResultError),
        (plugin(agreements=[agreement(organisation_cvr="12345678")]), InvalidAgreementError),
        (plugin(agreements=[agreement(organisation_cvr=None)]), InvalidAgreementError),
        (plugin(agreements=[agreement(groups=())]), InvalidAgreementError),
        (plugin(agreements=[agreement(flexible_share=1.5)]), InvalidAgreementError),
        (plugin(agreements=[agreement(departments=ByColour("purple"))]), InvalidAgreementError),
        (plugin(agreements=[agreement(children_first_for_rooms=0)]), InvalidAgreementError),
        (plugin(agreements=[agreement(groups=("acme.unknown",))]), UnknownCriterionError),
        (plugin(agreements=[agreement(legal_basis=" ")]), MissingLegalBasisError),
        (plugin(agreements=[agreement(valid_until=dt.date(2020, 1, 1))]), InvalidDatesError),
        (
            plugin(agreements=[agreement(), agreement(flexible_share=0.3)]),
            ConflictingAgreementsError,
        ),
        (
            plugin(
                agreements=[
                    agreement(departments=ByColour("red", "yellow")),
                    agreement(departments=ByColour("yellow")),
                ]
            ),
            ConflictingAgreementsError,
        ),
        (
            plugin(fields=[ApplicantField("herkomst", "string", "origin", "herkomst")]),
            DiscriminatoryFieldError,
        ),
        (plugin(fields=[ApplicantField("shoe_size", "int", "", "")]), InvalidFieldError),
        (
            plugin(fields=[ApplicantField("shoe_size", "int", "m", "m", protected=True)]),
            InvalidFieldError,
        ),
        (plugin(fields=[ApplicantField("age", "int", "age", "alder")]), DuplicateFieldError),
        (plugin(files=["/nonexistent/acme-parameters.toml"]), PluginParameterFileError),
    ],
)
def test_named_error_for_each_bad_plugin_case(bad: object, error: type) -> None:
    assert_refused(bad, error)


def test_agreement_departments_are_checked_against_the_municipality() -> None:
    assert_refused(
        plugin(agreements=[agreement(departments=("d9",))]),
        UnknownDepartmentError,
        departments=DEPARTMENTS,
    )
    assert_refused(
        plugin(agreements=[agreement(departments=("d1", "d3"))]),
        ForeignDepartmentError,
        departments=DEPARTMENTS,
    )
    registry = load_plugin(
        plugin(agreements=[agreement(departments=("d1",))]), departments=DEPARTMENTS
    )
    assert len(registry.agreements) == len(registry.statutory) + 1


def test_misspelled_hook_is_caught_by_check_pending() -> None:
    bad = types.SimpleNamespace(__name__="typo")
    bad.register_criterias = hookimpl(lambda: [])
    assert_refused(bad, InvalidHookError)


def test_hook_that_raises_is_named() -> None:
    def boom() -> list[Criterion]:
        raise RuntimeError("database down")

    bad = types.SimpleNamespace(__name__="boom", register_criteria=hookimpl(boom))
    group = assert_refused(bad, PluginHookError)
    assert "database down" in str(group)


def test_plugin_parameter_file_cannot_redefine_bundled(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "p.toml"
    path.write_text(
        '[meta]\ntitle = "x"\nversion = "1"\n'
        '[criteria.employment.min_hours_per_week]\ndescription = "x"\nunit = "hours_per_week"\n'
        "[[criteria.employment.min_hours_per_week.values]]\nfrom = 2018-12-01\nvalue = 1\n"
        'reference = "x"\n',
        encoding="utf-8",
    )
    assert_refused(plugin(files=[path]), ParameterConflictError)


def test_plugin_parameter_file_feeds_its_criterion(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "acme.toml"
    path.write_text(
        '[meta]\ntitle = "acme"\nversion = "1"\n'
        '[acme.min_children]\ndescription = "fewest children"\nunit = "count"\n'
        '[[acme.min_children.values]]\nfrom = 2020-01-01\nvalue = 2\nreference = "bilag 4"\n',
        encoding="utf-8",
    )

    def many(frame: pd.DataFrame, values: dict[str, int]) -> pd.Series[bool]:
        return frame["children"].fillna(0) >= values["acme.min_children"]

    registry = load_plugin(
        plugin(
            criteria=[crit("acme.many", predicate=many, parameters=("acme.min_children",))],
            files=[path],
        )
    )
    frame = pd.DataFrame({"children": [0, 1, 2, 5]})
    assert registry.evaluate("acme.many", frame, ON).tolist() == [False, False, True, True]
    assert "acme.min_children = 2" in str(registry.trace("acme.many", ON))


# -- the runtime firewall ------------------------------------------------------------------


def test_predicate_sees_only_declared_columns_without_attrs() -> None:
    seen: dict[str, object] = {}

    def spy(frame: pd.DataFrame) -> pd.Series[bool]:
        seen["columns"] = list(frame.columns)
        seen["attrs"] = dict(frame.attrs)
        seen["index"] = list(frame.index)
        return frame["age"] > 50

    registry = load_plugin(plugin(criteria=[crit("acme.old", reads={"age"}, predicate=spy)]))
    waiting = pd.DataFrame(
        {"age": [30, 70], "name": ["secret", "secret"], "citizenship": ["X", "Y"]},
        index=["0101801234", "0202802345"],
    )
    waiting.attrs["source"] = "sensitive"
    result = registry.evaluate("acme.old", waiting, ON)
    assert seen == {"columns": ["age"], "attrs": {}, "index": [0, 1]}
    assert result.tolist() == [False, True]
    assert list(result.index) == list(waiting.index)


@pytest.mark.parametrize(
    "touch",
    [
        lambda f: f["citizenship"] == "DK",
        lambda f: f[["age", "name"]].notna().all(axis=1),
        lambda f: f.country_of_birth == "DK",
        lambda f: f.children > 0,
    ],
)
def test_touching_an_undeclared_field_raises_access_error(touch: object) -> None:
    registry = load_plugin(plugin(criteria=[crit("acme.sneaky", reads={"age"}, predicate=touch)]))
    waiting = synthetic_applicants(10)
    with pytest.raises(CriterionAccessError, match=r"acme\.sneaky"):
        registry.evaluate("acme.sneaky", waiting, ON)


@pytest.mark.parametrize(
    ("result", "match"),
    [
        (lambda f: (f["age"] > 1).to_numpy(), "ndarray"),
        (lambda f: (f["age"] > 1).iloc[:-1], "values for"),
        (lambda f: (f["age"] > 1).set_axis(range(5, 5 + len(f))), "index"),
        (lambda f: f["age"] * 1.0, "float64"),
        (lambda f: (f["age"] > 1).astype("boolean").where(f["age"] > 40), "missing"),
    ],
)
def test_bad_results_are_named_errors(result: object, match: str) -> None:
    registry = load_plugin(plugin(criteria=[crit("acme.bad", reads={"age"}, predicate=result)]))
    frame = pd.DataFrame({"age": [20, 30, 50]})
    with pytest.raises(CriterionResultError, match=match) as info:
        registry.evaluate("acme.bad", frame, ON)
    assert "acme.bad" in str(info.value)


def test_exception_inside_predicate_is_wrapped_with_criterion_id() -> None:
    registry = load_plugin(
        plugin(criteria=[crit("acme.div", reads={"age"}, predicate=lambda f: 1 / 0)])
    )
    with pytest.raises(PredicateError, match=r"acme\.div.*ZeroDivisionError"):
        registry.evaluate("acme.div", pd.DataFrame({"age": [1]}), ON)


def test_missing_field_and_unknown_criterion_and_dates() -> None:
    registry = load_plugin(
        plugin(criteria=[crit("acme.later", reads={"age"}, valid_from=dt.date(2030, 1, 1))])
    )
    with pytest.raises(MissingApplicantFieldError, match="employment_hours_per_week"):
        registry.evaluate("employment", pd.DataFrame({"age": [1]}), ON)
    with pytest.raises(CriterionNotFoundError):
        registry.evaluate("nope", pd.DataFrame({"age": [1]}), ON)
    with pytest.raises(NotInForceError, match=r"acme\.later"):
        registry.evaluate("acme.later", pd.DataFrame({"age": [1]}), ON)


def test_caller_frame_is_not_changed() -> None:
    def mutate(frame: pd.DataFrame) -> pd.Series[bool]:
        frame.loc[0, "age"] = 999
        return frame["age"] > 100

    registry = load_plugin(plugin(criteria=[crit("acme.mut", reads={"age"}, predicate=mutate)]))
    waiting = pd.DataFrame({"age": [20, 30]})
    registry.evaluate("acme.mut", waiting, ON)
    assert waiting["age"].tolist() == [20, 30]


# -- built-in criteria ---------------------------------------------------------------------


def employment_frame(**cols: list[object]) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base: dict[str, list[object]] = {
        "employment_hours_per_week": [None] * n,
        "employment_permanent": [None] * n,
        "fixed_term_months": [None] * n,
        "wage_subsidy": [None] * n,
        "self_employed_cvr": [None] * n,
        "partner_employment_hours_per_week": [None] * n,
        "partner_employment_permanent": [None] * n,
        "in_education": [None] * n,
        "apprentice": [None] * n,
        "partner_in_education": [None] * n,
    }
    base.update(cols)
    return APPLICANTS.validate(
        pd.DataFrame(
            {
                "applicant_id": [f"a{i}" for i in range(n)],
                "list": ["external"] * n,
                "seniority_date": ["2020-01-01"] * n,
                "household_size": [2] * n,
                **base,
            }
        )
    )


def test_employment_reading_follows_randers_definition() -> None:
    registry = load(entry_points=False)
    frame = employment_frame(
        employment_hours_per_week=[25, 24, 30, 30, 30, None, None, None],
        employment_permanent=[True, True, False, False, True, None, None, None],
        fixed_term_months=[None, None, 3, 2, None, None, None, None],
        wage_subsidy=[False, False, False, False, True, None, None, None],
        self_employed_cvr=[None, None, None, None, None, "31831814", None, None],
        partner_employment_hours_per_week=[None] * 7 + [37],
        partner_employment_permanent=[None] * 7 + [True],
    )
    got = registry.evaluate("employment", frame, ON).tolist()
    assert got == [True, False, True, False, False, True, False, True]


@pytest.mark.parametrize("cvr", ["31831815", "12345678", "010190-1234", "0101901234"])
def test_a_self_employed_cvr_failing_the_modulus_11_check_is_refused(cvr: str) -> None:
    with pytest.raises(TableValidationError) as err:
        employment_frame(self_employed_cvr=[None, cvr])
    assert [(p.column, p.row) for p in err.value.problems] == [("self_employed_cvr", 2)]
    assert cvr not in str(err.value)
    assert "modulus-11" in str(err.value)


def test_education_and_mandatory_criterion() -> None:
    registry = load(entry_points=False)
    frame = employment_frame(
        in_education=[True, None, None, None],
        apprentice=[None, True, None, None],
        partner_in_education=[None, None, True, None],
        employment_hours_per_week=[None, None, None, 37],
        employment_permanent=[None, None, None, True],
    )
    assert registry.evaluate("education", frame, ON).tolist() == [True, True, True, False]
    assert registry.evaluate("employment_or_education", frame, ON).tolist() == [True] * 4


def test_other_builtins_and_assumed_parameters_warn() -> None:
    registry = load(entry_points=False)
    frame = pd.DataFrame(
        {
            "criminal_record_clean": pd.array([True, False, None], dtype="boolean"),
            "highest_education": pd.array(["basic", "higher", None], dtype="string"),
            "annual_household_income_dkk": [300_000.0, 100_000.0, None],
            "age": pd.array([20, 70, None], dtype="Int64"),
            "works_in_municipality": [True, False, True],
        }
    )
    assert registry.evaluate("clean_criminal_record", frame, ON).tolist() == [True, False, False]
    assert registry.evaluate("education_above_basic", frame, ON).tolist() == [False, True, False]
    assert registry.evaluate("commuter", frame, ON).tolist() == [True, False, True]
    with pytest.warns(Warning, match="assumed"):
        assert registry.evaluate("household_income", frame, ON).tolist() == [True, False, False]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert registry.evaluate("young", frame, ON).tolist() == [True, False, False]
        assert registry.evaluate("senior", frame, ON).tolist() == [False, True, False]


def test_evaluate_many_computes_each_criterion_once_and_composites() -> None:
    calls = []

    def counted(frame: pd.DataFrame) -> pd.Series[bool]:
        calls.append(1)
        return frame["age"] > 40

    registry = load_plugin(plugin(criteria=[crit("acme.c", reads={"age"}, predicate=counted)]))
    frame = pd.DataFrame({"age": [30, 50], "children": [1, 0]}, index=[7, 8])
    out = registry.evaluate_many(
        ["acme.c", "families_with_children", "acme.c&families_with_children", "acme.c"], frame, ON
    )
    assert len(calls) == 1
    assert list(out.columns) == [
        "acme.c",
        "families_with_children",
        "acme.c&families_with_children",
    ]
    assert out.loc[8, "acme.c"]
    assert not out.loc[8, "acme.c&families_with_children"]
    assert list(out.index) == [7, 8]


# -- agreements -----------------------------------------------------------------------------


def test_red_department_without_organisation_agreement_gets_the_mandatory_one() -> None:
    registry = load(entry_points=False)
    got = registry.agreement_for("d1", CVR, "red", ON)
    assert got is not None
    assert got.groups == ("employment_or_education",)
    assert got.flexible_share == 1.0
    assert "§ 60, stk. 4" in got.legal_basis
    assert registry.agreement_for("d1", CVR, "yellow", ON) is None
    assert registry.agreement_for("d1", CVR, "red", dt.date(2017, 1, 1)) is None


def test_organisation_agreement_may_tighten_but_not_drop_the_mandatory_criterion() -> None:
    registry = load_plugin(
        plugin(
            agreements=[agreement(groups=("senior", "families_with_children"), flexible_share=0.4)]
        )
    )
    red = registry.agreement_for("d1", CVR, "red", ON)
    assert red is not None
    assert red.groups == (
        "senior&employment_or_education",
        "families_with_children&employment_or_education",
        "employment_or_education",
    )
    assert red.flexible_share == 1.0
    green = registry.agreement_for("d1", CVR, "green", ON)
    assert green is not None
    assert green.groups == ("senior", "families_with_children")
    assert registry.agreement_for("d1", OTHER_CVR, "green", ON) is None


def test_most_specific_agreement_applies() -> None:
    specific = agreement(departments=("d2",), groups=("senior",))
    by_colour = agreement(departments=ByColour("yellow"), groups=("commuter",))
    general = agreement(groups=("families_with_children",))
    registry = load_plugin(plugin(agreements=[general, by_colour, specific]))
    assert registry.agreement_for("d2", CVR, "yellow", ON) == specific
    assert registry.agreement_for("d1", CVR, "yellow", ON) == by_colour
    assert registry.agreement_for("d1", CVR, "green", ON) == general
    assert registry.agreement_for("d1", CVR, "green", dt.date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("criterion_id", "field"),
    [
        ("commuter", "works_in_municipality"),
        ("separated", "separated_within_year"),
        ("accessible_dwelling", "needs_accessible_dwelling"),
    ],
)
def test_a_yes_no_builtin_reads_its_one_field_and_counts_missing_as_not_met(
    criterion_id: str, field: str
) -> None:
    registry = load(entry_points=False)
    criterion = registry.criteria[criterion_id]
    assert criterion.reads == frozenset({field})
    assert criterion.legal_basis.startswith("Almenboligloven § 60, stk. 1")
    frame = pd.DataFrame({field: pd.array([True, False, None], dtype="boolean")})
    assert registry.evaluate(criterion_id, frame, ON).tolist() == [True, False, False]
