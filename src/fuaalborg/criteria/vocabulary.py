"""The applicant field vocabulary: every field a criterion may read, and those it never may.

:data:`APPLICANTS` is the declared spec of the waiting-list table (venteliste):
one :class:`ApplicantField` per column, with type, meaning in English and Danish
and a ``protected`` flag. Criteria name the fields they read; the loader refuses
any criterion that names a protected field or one no vocabulary declares.

Only ``applicant_id``, ``list``, ``seniority_date`` and ``household_size`` are
required in every waiting list; every other field is needed only when a loaded
criterion reads it.

Protected fields — ethnicity, national or ethnic origin, race, skin colour,
citizenship, country of birth, immigrant status, religion, mother tongue, name,
sexual orientation, gender identity, CPR number — may be present in a table
(for statistics, as in an audit sample) but are never readable by a criterion
(forskelsbehandlingsloven § 1; lov om etnisk ligebehandling; the housing
authority's guidance on citizenship). The fields only the statutory rules read —
almenboligloven § 59, stk. 6–7 (the municipal referral's household check) and
§ 51 c (refusal in transformation areas) — are protected in the same way.
:func:`is_protected_name` also refuses a plug-in's own field whose name matches a
protected concept in English or Danish, or contains a statutory field's name.

>>> from fuaalborg.criteria.vocabulary import APPLICANTS, PROTECTED_FIELDS
>>> from fuaalborg.criteria.vocabulary import is_protected_name
>>> "citizenship" in PROTECTED_FIELDS
True
>>> is_protected_name("statsborgerskab"), is_protected_name("Fødeland"), is_protected_name("age")
(True, True, False)
>>> APPLICANTS.column("employment_hours_per_week").unit
'hours/week'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import attrs
import pandas as pd

from fuaalborg.tables import Column, TableSpec

__all__ = [
    "APPLICANTS",
    "APPLICANT_FIELDS",
    "BENEFIT_CODES",
    "EDUCATION_LEVELS",
    "LISTS",
    "PROTECTED_FIELDS",
    "REQUIRED_FIELDS",
    "WISH_FIELDS",
    "ApplicantField",
    "is_protected_name",
    "protected_columns",
    "validate_applicants",
]

#: Highest completed education, lowest first (basic = grundskole).
EDUCATION_LEVELS = ("basic", "upper_secondary", "vocational", "short_higher", "higher")
#: The two waiting lists: internal (existing tenants) and external.
LISTS = ("internal", "external")
#: Values of ``benefit_received`` (read only by almenboligloven § 51 c): which benefit a
#: person receives now; which of them the law names on a date is the parameter letting.s51c.
BENEFIT_CODES = (
    "none", "other", "cash_benefit", "education_benefit", "self_support_benefit",
    "transition_benefit",
)


@attrs.frozen
class ApplicantField(Column):
    """One declared applicant field (a column of the waiting list).

    A :class:`~fuaalborg.tables.Column` with a ``protected`` flag: a protected
    field is never readable by any criterion. ``wish`` marks an applicant's wish
    (rooms, rent, departments) read by the ranking, not by criteria.
    """

    protected: bool = False
    wish: bool = False


def _f(
    name: str,
    dtype: str,
    meaning: str,
    meaning_da: str,
    **kw: object,
) -> ApplicantField:
    opts: dict[str, object] = {"required": False, "nullable": True}
    opts.update(kw)
    return ApplicantField(name, dtype, meaning, meaning_da, **opts)  # type: ignore[arg-type]


def _protected(name: str, meaning: str, meaning_da: str) -> ApplicantField:
    return _f(name, "string", meaning, meaning_da, protected=True, personal=True)


def _statutory(
    name: str, dtype: str, meaning: str, meaning_da: str, rule: str, **kw: object
) -> ApplicantField:
    """A field only a statutory rule reads: protected from every criterion."""
    return _f(name, dtype, f"{meaning} (read only by {rule}; never by a criterion)",
              f"{meaning_da} (læses kun af {rule})", protected=True, personal=True, **kw)


_CANONICAL: tuple[ApplicantField, ...] = (
    # list and household
    _f(
        "applicant_id",
        "string",
        "identifier of the applicant; an applicant on both lists has one row per list",
        "ansøgerens id; en ansøger på begge lister har én række pr. liste",
        required=True,
        nullable=False,
        # an export may use a person number as the id: never shown in an error
        personal=True,
    ),
    _f(
        "list",
        "string",
        "internal (existing tenant) or external waiting list",
        "intern (beboer) eller ekstern venteliste",
        required=True,
        nullable=False,
        allowed=LISTS,
    ),
    _f(
        "seniority_date",
        "date",
        "date the applicant's seniority counts from",
        "ancienniteten regnes fra",
        required=True,
        nullable=False,
    ),
    _f(
        "active",
        "bool",
        "whether the application is active (not passive)",
        "om ansøgningen er aktiv (ikke passiv)",
    ),
    _f(
        "household_size",
        "int",
        "persons in the household moving in",
        "husstandens størrelse",
        unit="persons",
        min=1,
        max=20,
        required=True,
        nullable=False,
    ),
    _f(
        "children",
        "int",
        "children under 18 in the household",
        "børn under 18 i husstanden",
        unit="persons",
        min=0,
        max=19,
    ),
    _f(
        "age",
        "int",
        "the applicant's age in years",
        "ansøgerens alder",
        unit="years",
        min=15,
        max=120,
    ),
    _f(
        "current_department_id",
        "string",
        "department the applicant lives in now, if any",
        "afdeling ansøgeren bor i nu, hvis nogen",
    ),
    # work
    _f(
        "employment_hours_per_week",
        "float",
        "the applicant's contracted working hours",
        "ansøgerens aftalte ugentlige arbejdstid",
        unit="hours/week",
        min=0,
        max=168,
    ),
    _f(
        "employment_permanent",
        "bool",
        "the applicant's employment is permanent",
        "ansøgeren er fastansat",
    ),
    _f(
        "fixed_term_months",
        "float",
        "length of the applicant's fixed-term employment",
        "varighed af tidsbegrænset ansættelse",
        unit="months",
        min=0,
        max=600,
    ),
    _f(
        "wage_subsidy",
        "bool",
        "the applicant's job is a wage-subsidy job",
        "ansøgerens job er et løntilskudsjob",
    ),
    _f(
        "self_employed_cvr",
        "string",
        "CVR number of the applicant's own business, if any",
        "CVR-nummer for ansøgerens egen virksomhed",
    ),
    _f(
        "partner_employment_hours_per_week",
        "float",
        "the partner's contracted working hours",
        "ægtefælle/samlevers ugentlige arbejdstid",
        unit="hours/week",
        min=0,
        max=168,
    ),
    _f(
        "partner_employment_permanent",
        "bool",
        "the partner's employment is permanent",
        "ægtefælle/samlever er fastansat",
    ),
    # education
    _f(
        "in_education",
        "bool",
        "in an education that qualifies for SU",
        "under SU-berettiget uddannelse",
    ),
    _f("apprentice", "bool", "in an apprenticeship (elev/lærling)", "elev eller lærling"),
    _f(
        "partner_in_education",
        "bool",
        "the partner is in SU-qualifying education",
        "ægtefælle/samlever under SU-berettiget uddannelse",
    ),
    _f(
        "highest_education",
        "string",
        "highest completed education",
        "højeste fuldførte uddannelse",
        allowed=EDUCATION_LEVELS,
    ),
    # other
    _f(
        "criminal_record_clean",
        "bool",
        "a clean criminal record certificate (straffeattest)",
        "ren straffeattest",
    ),
    _f(
        "annual_household_income_dkk",
        "float",
        "the household's gross annual income",
        "husstandens årlige bruttoindkomst",
        unit="kr/year",
        min=0,
    ),
    _f(
        "works_in_municipality",
        "bool",
        "works in the municipality (commuter)",
        "arbejder i kommunen (pendler)",
    ),
    _f(
        "separated_within_year",
        "bool",
        "separated or divorced within the last year",
        "separeret eller skilt inden for det seneste år",
    ),
    _f(
        "needs_accessible_dwelling",
        "bool",
        "needs an accessible dwelling",
        "har behov for en tilgængelig bolig",
    ),
)

_WISHES: tuple[ApplicantField, ...] = (
    _f(
        "min_rooms",
        "int",
        "fewest rooms the applicant accepts",
        "mindste antal rum",
        unit="rooms",
        min=1,
        max=20,
        wish=True,
    ),
    _f(
        "max_rent_dkk",
        "float",
        "highest monthly rent the applicant accepts",
        "højeste månedlige husleje",
        unit="kr/month",
        min=0,
        wish=True,
    ),
    _f(
        "wanted_department_ids",
        "string",
        "departments the applicant wants, ids separated by ';' (empty: any)",
        "ønskede afdelinger adskilt af ';' (tom: alle)",
        wish=True,
    ),
)

# Read only by the statutory rules: almenboligloven § 59, stk. 6-7 (the municipal
# referral's household check) and § 51 c (refusal in transformation areas).
_STATUTORY: tuple[ApplicantField, ...] = (
    _statutory("released_from_prison_on", "date", "release from prison after a conviction",
               "løsladelse fra kriminalforsorgen efter dom", "almenboligloven § 59"),
    _statutory("released_from_youth_institution_on", "date",
               "release of a minor from an institution after a conviction",
               "løsladelse af en mindreårig fra institution efter dom", "almenboligloven § 59"),
    _statutory("action_plan_required", "bool", "an action plan must be prepared",
               "der skal udarbejdes handleplan", "almenboligloven § 59"),
    _statutory("lease_terminated_on", "date", "lease ended for serious breach of good order",
               "lejemål ophævet pga. grove overtrædelser", "almenboligloven § 59"),
    _statutory("eu_eea_swiss_citizen", "bool", "citizen of an EU/EEA country or Switzerland",
               "statsborger i EU/EØS eller Schweiz", "almenboligloven § 59"),
    *(
        _statutory(f"{benefit}_months", "int", "consecutive months of a named benefit",
                   "sammenhængende måneder med en nævnt ydelse", "almenboligloven § 59",
                   unit="months", min=0, max=600)
        for benefit in ("cash_benefit", "education_benefit", "self_support_benefit",
                        "transition_benefit", "cash_benefit_s16_1", "cash_benefit_s16_2",
                        "unemployment_sickness")
    ),
    _statutory("disability_pension", "bool", "receives disability pension",
               "modtager førtidspension", "almenboligloven § 59"),
    _statutory("benefit_received", "string", "the benefit the applicant receives now",
               "ydelse ansøgeren modtager nu", "almenboligloven § 51 c", allowed=BENEFIT_CODES),
    _statutory("partner_benefit_received", "string",
               "the benefit the applicant's spouse or cohabitant of at least 2 years receives now",
               "ydelse ægtefælle eller samlever modtager nu", "almenboligloven § 51 c",
               allowed=(*BENEFIT_CODES, "no_partner")),
    _statutory("s51c_dispensation", "bool", "the municipality has dispensed from the refusal",
               "kommunen har dispenseret fra afvisningen", "almenboligloven § 51 c, stk. 4"),
)

_PROTECTED: tuple[ApplicantField, ...] = (
    _protected("ethnicity", "ethnicity (never readable)", "etnicitet"),
    _protected("ethnic_origin", "ethnic origin (never readable)", "etnisk oprindelse"),
    _protected("race", "race (never readable)", "race"),
    _protected("skin_colour", "skin colour (never readable)", "hudfarve"),
    _protected("national_origin", "national origin (never readable)", "national oprindelse"),
    _protected("citizenship", "citizenship (never readable)", "statsborgerskab"),
    _protected("nationality", "nationality (never readable)", "nationalitet"),
    _protected("country_of_birth", "country of birth (never readable)", "fødeland"),
    _protected(
        "immigrant_status",
        "immigrant or descendant status (never readable)",
        "indvandrer- eller efterkommerstatus",
    ),
    _protected("religion", "religion or belief (never readable)", "religion eller tro"),
    _protected("mother_tongue", "mother tongue (never readable)", "modersmål"),
    _protected("name", "the applicant's name (never readable)", "navn"),
    _protected("sexual_orientation", "sexual orientation (never readable)", "seksuel orientering"),
    _protected(
        "gender_identity", "gender identity or expression (never readable)", "kønsidentitet"
    ),
    _protected("cpr", "CPR number (never readable)", "CPR-nummer"),
    *_STATUTORY,
)

#: Every declared applicant field (canonical, wishes, protected), in order.
APPLICANT_FIELDS: tuple[ApplicantField, ...] = _CANONICAL + _WISHES + _PROTECTED

#: The waiting-list table spec (venteliste); undeclared columns are passed through.
APPLICANTS = TableSpec(
    name="applicants",
    description="The waiting list: one row per applicant per list (internal, external)",
    description_da="Ventelisten: én række pr. ansøger pr. liste (intern, ekstern)",
    key=("applicant_id", "list"),
    columns=APPLICANT_FIELDS,
)

#: Fields every waiting list must have.
REQUIRED_FIELDS: frozenset[str] = frozenset(f.name for f in APPLICANT_FIELDS if f.required)
#: The applicant's wishes, read by the ranking (not protected, not criteria).
WISH_FIELDS: frozenset[str] = frozenset(f.name for f in _WISHES)
#: Declared protected fields: never readable by any criterion.
PROTECTED_FIELDS: frozenset[str] = frozenset(f.name for f in _PROTECTED)

# Protected concepts, as stems matched anywhere in a name with its separators removed
# (after folding æ/ø/å), and as whole words. English and Danish.
_STEMS = (
    "ethnic",
    "etnic",
    "etnisk",
    "racial",
    "skincolo",
    "hudfarv",
    "nationalorigin",
    "nationalit",
    "citizen",
    "statsborger",
    "herkomst",
    "oprindelse",
    "countryofbirth",
    "birthcountry",
    "birthplace",
    "placeofbirth",
    "fodeland",
    "fodested",
    "immigra",
    "indvandr",
    "efterkommer",
    "descendant",
    "religio",
    "trosretning",
    "livssyn",
    "belief",
    "faith",
    "mothertongue",
    "nativelanguage",
    "firstlanguage",
    "homelanguage",
    "modersmal",
    "sexualorient",
    "seksuelorient",
    "seksuelleorient",
    "genderident",
    "genderexpress",
    "konsidentitet",
    "konsudtryk",
    "transgender",
    "transkon",
    "personnummer",
    "cprnummer",
    "socialsecurity",
    "surname",
    "firstname",
    "lastname",
    "familyname",
    "givenname",
    "fullname",
    "fornavn",
    "efternavn",
    "mellemnavn",
    "ghetto",
    "nonwestern",
    "ikkevestlig",
    "parallelsamfund",
    "parallelsociet",
    "minorit",
    "skin",
    "hudfarve",
)
_WORDS = frozenset(
    {
        "race",
        "name",
        "names",
        "navn",
        "navne",
        "cpr",
        "ssn",
        "tro",
        "sex",
        "gender",
        "kon",
        "koen",
        "national",
        "nation",
        "country",
        "land",
        "language",
        "sprog",
        "tongue",
        "ethnos",
        "religion",
        "faith",
        "herkomst",
        "muslim",
        "christian",
        "jewish",
        "kristen",
        "jodisk",
        "western",
        "vestlig",
        "foreign",
        "foreigner",
        "udlaending",
        "udlanding",
        "refugee",
        "flygtning",
        "asylum",
        "asyl",
        "accent",
        "dialect",
        "origin",
        "origins",
    }
)
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ö": "o", "ä": "a", "ü": "u"})


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    folded = unicodedata.normalize("NFKC", spaced).lower().translate(_FOLD)
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return [w for w in re.split(r"[^a-z0-9]+", folded) if w]


def is_protected_name(name: str) -> bool:
    """Whether a field name matches a protected concept, in English or Danish.

    Matches the declared :data:`PROTECTED_FIELDS`, whole words such as ``name``,
    ``navn``, ``race``, ``cpr``, and stems anywhere in the name such as
    ``etnicitet``, ``herkomst``, ``statsborgerskab``, ``nationalitet``,
    ``fødeland``, ``religion``, ``modersmål``, ``non_western``, ``ghetto``.
    CamelCase, separators and Danish letters are folded first. The test errs on
    the side of refusal: rename an innocent field rather than weaken it.

    >>> from fuaalborg.criteria.vocabulary import is_protected_name, protected_columns
    >>> [is_protected_name(n) for n in ("applicantName", "Herkomst_land", "ikke-vestlig_omraade")]
    [True, True, True]
    >>> [is_protected_name(n) for n in ("employment_hours_per_week", "in_education", "children")]
    [False, False, False]
    """
    if name in PROTECTED_FIELDS:
        return True
    words = _words(name)
    if any(w in _WORDS for w in words):
        return True
    compact = "".join(words)
    statutory = ("".join(_words(f.name)) for f in _STATUTORY)
    return any(stem in compact for stem in _STEMS) or any(s in compact for s in statutory)


def protected_columns(columns: Iterable[object]) -> list[str]:
    """The names among ``columns`` that are protected (declared or by name).

    >>> protected_columns(["applicant_id", "name", "fodeland", "age"])
    ['name', 'fodeland']
    """
    return [str(c) for c in columns if is_protected_name(str(c))]


def validate_applicants(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a waiting list against :data:`APPLICANTS`; return a new, coerced frame.

    Every problem is reported at once (:class:`~fuaalborg.tables.TableValidationError`);
    values of protected and personal columns are never shown.
    """
    return APPLICANTS.validate(frame)
