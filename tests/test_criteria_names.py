"""Protected names, proxies and statutory fields; agreements bound to their organisation.

Each name the firewall was shown to let through is now refused — as a plug-in
field and as a field a criterion reads — whatever its spelling of the Danish
letters; each proxy cites indirect discrimination; a field's stated meaning is
checked as its name is. Agreements: only for the plug-in's own
``ORGANISATION_CVR``; the ranking key's group limit is checked at load; combined
groups are accepted.
"""

from __future__ import annotations

import datetime as dt
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg.criteria import (
    MAX_GROUPS,
    AllDepartments,
    ApplicantField,
    ByColour,
    Criterion,
    DiscriminatoryCriterionError,
    LettingAgreement,
    PriorityGroup,
    hookimpl,
)
from fuaalborg.criteria.errors import (
    AgreementOrganisationError,
    DiscriminatoryFieldError,
    InvalidAgreementError,
    InvalidCriterionError,
    InvalidOrganisationError,
    StatutoryFieldError,
    UnknownCriterionError,
)
from fuaalborg.criteria.testing import assert_refused, load_plugin
from fuaalborg.criteria.vocabulary import (
    APPLICANT_FIELDS,
    PROTECTED_CONCEPTS,
    STATUTORY_NAMES,
    fold,
    is_protected_name,
    meaning_match,
    protected_match,
)

CVR = "12011814"
OTHER_CVR = "31831814"
BASIS = "Almenboligloven § 60, stk. 1"

# names that loaded without a word before, in both languages and ASCII spellings
REFUSED = [
    "foedeland",
    "modersmaal",
    "indfoedsret",
    "ancestry",
    "descent",
    "heritage",
    "hjemland",
    "fødeland",
    "modersmål",
    "indfødsret",
    "statsborgerskab",
    "Herkomst",
    "etnisk_baggrund",
]
PROXIES = [
    "years_lived_in_denmark",
    "arrival_date_dk",
    "residence_permit",
    "previous_address_postcode",
    "danish_test_passed",
    "opholdstilladelse",
    "indrejsedato",
    "tidligere_adresse",
    "postnummer",
    "surname_initial",
    "aar_i_danmark",
]


def field_plugin(name: str, meaning: str = "a fact", meaning_da: str = "et forhold") -> object:
    field = ApplicantField(name, "string", meaning, meaning_da, required=False, nullable=True)
    return types.SimpleNamespace(
        __name__="acme", register_applicant_fields=hookimpl(lambda: [field])
    )


def reading_plugin(name: str) -> object:
    crit = Criterion(
        id="acme.c", title="t", reads={name, "age"},
        predicate=lambda f: f["age"].notna(), legal_basis=BASIS,
    )
    return types.SimpleNamespace(__name__="acme", register_criteria=hookimpl(lambda: [crit]))


@pytest.mark.parametrize("name", REFUSED + PROXIES)
def test_every_listed_name_and_proxy_is_refused_as_a_field_and_as_a_read(name: str) -> None:
    assert is_protected_name(name)
    group = assert_refused(field_plugin(name), DiscriminatoryFieldError)
    assert name in str(group)
    assert_refused(reading_plugin(name), DiscriminatoryCriterionError)


@pytest.mark.parametrize("name", PROXIES[:5])
def test_a_proxy_cites_indirect_discrimination(name: str) -> None:
    match = protected_match(name)
    assert match is not None
    assert match.concept.kind == "proxy"
    text = str(assert_refused(field_plugin(name), DiscriminatoryFieldError))
    assert "lov om etnisk ligebehandling § 3" in text
    assert "indirekte forskelsbehandling" in text


@pytest.mark.parametrize(
    ("meaning", "meaning_da"),
    [
        ("years the applicant has lived in Denmark", "antal år"),
        ("a number", "antal år ansøgeren har boet i Danmark"),
        ("the applicant's country of origin", "et land"),
        ("passed the Danish language test", "bestået"),
        ("the postcode of the previous address", "postnummer"),
    ],
)
def test_a_field_s_meaning_is_checked_in_english_and_danish(meaning: str, meaning_da: str) -> None:
    plugin = field_plugin("years_here", meaning, meaning_da)
    group = assert_refused(plugin, DiscriminatoryFieldError)
    assert "meaning mentions" in str(group)


def test_the_vocabulary_s_own_meanings_pass_the_meaning_check() -> None:
    readable = [f for f in APPLICANT_FIELDS if not f.protected and not f.statutory]
    assert readable
    for field in readable:
        assert protected_match(field.name) is None, field.name
        assert meaning_match(field.meaning) is None, field.meaning
        assert meaning_match(field.meaning_da) is None, field.meaning_da


@settings(max_examples=60, deadline=None)
@given(
    word=st.sampled_from(["fødeland", "modersmål", "indfødsret", "udlænding", "kønsidentitet"]),
    style=st.sampled_from(["danish", "digraph", "plain"]),
    wrap=st.sampled_from(["{}", "applicant_{}", "{}_code", "partner{}"]),
)
def test_danish_letters_fold_whatever_the_spelling(word: str, style: str, wrap: str) -> None:
    spelled = {
        "danish": word,
        "digraph": word.replace("ø", "oe").replace("å", "aa").replace("æ", "ae"),
        "plain": word.replace("ø", "o").replace("å", "a").replace("æ", "a"),
    }[style]
    name = wrap.format(spelled)
    assert fold(name) == fold(wrap.format(word))
    assert is_protected_name(name)


def test_the_concept_list_is_documented_data() -> None:
    kinds = {c.kind for c in PROTECTED_CONCEPTS}
    assert kinds == {"protected", "proxy"}
    assert all(c.basis and c.concept and c.concept_da for c in PROTECTED_CONCEPTS)


def test_statutory_referral_facts_are_never_readable_by_a_criterion() -> None:
    from fuaalborg.letting.referral_limits import HOUSEHOLD_FIELDS

    # every household fact of the statutory check (age aside, an open field) is declared
    assert set(HOUSEHOLD_FIELDS) - {"age"} <= STATUTORY_NAMES
    for name in ("disability_pension", "social_assistance_months", "cash_benefit_months"):
        assert_refused(reading_plugin(name), StatutoryFieldError)
        assert_refused(field_plugin(name), StatutoryFieldError)


def test_retired_statutory_names_are_those_the_referral_limits_refuse() -> None:
    from fuaalborg import load_parameters
    from fuaalborg.criteria.vocabulary import RETIRED_STATUTORY_NAMES

    history = load_parameters().history("referral.limits.retired_fields")
    named = {name for dated in history if dated.value for name in dated.value}
    assert named == RETIRED_STATUTORY_NAMES


def test_an_identifying_field_is_not_readable() -> None:
    group = assert_refused(reading_plugin("applicant_id"), InvalidCriterionError)
    assert "identifies the applicant" in str(group)


# -- agreements bound to their organisation ------------------------------------------------


def agreement(**kw: object) -> LettingAgreement:
    opts: dict[str, object] = {
        "organisation_cvr": CVR,
        "departments": ByColour("yellow"),
        "groups": ("families_with_children",),
        "flexible_share": 0.5,
        "legal_basis": BASIS,
        "valid_from": dt.date(2024, 1, 1),
        "valid_until": None,
    }
    opts.update(kw)
    return LettingAgreement(**opts)  # type: ignore[arg-type]


def agreement_plugin(agr: LettingAgreement, organisation: object = CVR) -> object:
    ns = types.SimpleNamespace(
        __name__="acme", register_letting_agreements=hookimpl(lambda: [agr])
    )
    if organisation is not None:
        ns.ORGANISATION_CVR = organisation
    return ns


def test_an_agreement_under_another_organisation_s_cvr_is_refused() -> None:
    group = assert_refused(
        agreement_plugin(agreement(organisation_cvr=OTHER_CVR)), AgreementOrganisationError
    )
    assert OTHER_CVR in str(group)
    assert CVR in str(group)


def test_a_plugin_without_organisation_may_publish_criteria_but_no_agreements() -> None:
    assert_refused(agreement_plugin(agreement(), organisation=None), AgreementOrganisationError)
    assert "acme.c" in load_plugin(reading_plugin("children")).criteria


def test_organisation_cvr_is_modulus_11_checked() -> None:
    assert_refused(agreement_plugin(agreement(), organisation="12011815"), InvalidOrganisationError)


def test_the_ranking_key_s_group_limit_is_checked_at_load() -> None:
    ids = [f"families_with_children&{c}" for c in ("senior", "young", "commuter")]
    many = tuple(
        PriorityGroup(ids[i % 3], applies_to=f"rooms >= {i // 3 + 1}") for i in range(MAX_GROUPS)
    )
    # 62 groups in yellow departments fit; in a red one the mandatory group makes 63
    assert load_plugin(agreement_plugin(agreement(groups=many)))
    group = assert_refused(
        agreement_plugin(agreement(groups=many, departments=AllDepartments())),
        InvalidAgreementError,
    )
    assert "63 in a red department" in str(group)
    one_more = (*many, "separated")
    assert_refused(agreement_plugin(agreement(groups=one_more)), InvalidAgreementError)


def test_combined_groups_are_usable_in_agreements() -> None:
    registry = load_plugin(
        agreement_plugin(agreement(groups=("employment&families_with_children", "senior")))
    )
    found = registry.agreement_for("d1", CVR, "yellow", dt.date(2024, 6, 1))
    assert found is not None
    assert found.group_ids == ("employment&families_with_children", "senior")
    assert_refused(
        agreement_plugin(agreement(groups=("employment&nope",))), UnknownCriterionError
    )
    assert_refused(
        agreement_plugin(agreement(groups=("employment&senior", "senior&employment"))),
        InvalidAgreementError,
    )
    assert_refused(agreement_plugin(agreement(groups=("employment&",))), InvalidAgreementError)
