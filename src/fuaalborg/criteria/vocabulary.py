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
(forskelsbehandlingsloven § 1; lov om etnisk ligebehandling § 3; the housing
authority's guidance on citizenship). :data:`PROTECTED_CONCEPTS` lists every
protected concept and every *proxy* for national or ethnic origin (time lived in
Denmark, arrival date, residence permit, Danish-language test, previous
address or postcode, name-derived fields) with the English and Danish words
that name it; :func:`protected_match` refuses a plug-in field whose name
matches one, and :func:`meaning_match` one whose stated meaning does.
:data:`STATUTORY_FIELDS` are the household facts of the statutory referral
limits (almenboligloven § 59), which no criterion may read either. An
identifying field (``applicant_id``) is never readable: a criterion decides on
declared facts, never on who the applicant is.

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

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import attrs
import pandas as pd

from fuaalborg import _lazy
from fuaalborg.model import CVR_PATTERN, TURNS, valid_cvr_mask
from fuaalborg.personal_data import cpr_mask
from fuaalborg.tables import Column, TableSpec

__all__ = [
    "APPLICANTS",
    "APPLICANT_FIELDS",
    "BENEFIT_CODES",
    "EDUCATION_LEVELS",
    "IDENTIFYING_FIELDS",
    "NOT_CPR",
    "PROTECTED_CONCEPTS",
    "PROTECTED_FIELDS",
    "REQUIRED_FIELDS",
    "RETIRED_STATUTORY_NAMES",
    "STATUTORY_FIELDS",
    "STATUTORY_NAMES",
    "WISH_FIELDS",
    "ApplicantField",
    "ProtectedConcept",
    "ProtectedMatch",
    "fold",
    "is_protected_name",
    "meaning_match",
    "protected_columns",
    "protected_match",
    "validate_applicants",
]

#: Highest completed education, lowest first (basic = grundskole).
EDUCATION_LEVELS = ("basic", "upper_secondary", "vocational", "short_higher", "higher")
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
    ``statutory`` marks a household fact of the statutory referral limits
    (almenboligloven § 59), read only by the statutory check.
    """

    protected: bool = False
    wish: bool = False
    statutory: bool = False


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


def _not_cpr(values: pd.Series[Any]) -> pd.Series[bool]:
    """True where a value is not shaped like a CPR number."""
    return pd.Series(~cpr_mask(values), index=values.index)


#: What an applicant id must not be, and why: the ranking needs the letting system's
#: applicant number, never a person's CPR number (data minimisation, GDPR art. 5(1)(c)).
NOT_CPR = (
    "not shaped like a CPR number: use the letting system's applicant number (a CPR "
    "number is not needed to rank, and data minimisation, GDPR art. 5(1)(c), keeps it out)"
)


def _protected(name: str, meaning: str, meaning_da: str) -> ApplicantField:
    return _f(name, "string", meaning, meaning_da, protected=True, personal=True)


_CANONICAL: tuple[ApplicantField, ...] = (
    # list and household
    _f(
        "applicant_id",
        "string",
        "identifier of the applicant; an applicant on both lists has one row per list",
        "ansøgerens id; en ansøger på begge lister har én række pr. liste",
        required=True,
        nullable=False,
        # an export may use a person number as the id: refused, and never shown in an error
        personal=True,
        check=_not_cpr,
        check_text=NOT_CPR,
    ),
    _f(
        "list",
        "string",
        "internal (existing tenant) or external waiting list",
        "intern (beboer) eller ekstern venteliste",
        required=True,
        nullable=False,
        allowed=TURNS,
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
        bound="bounds.household_size",
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
        bound="bounds.household_size",
    ),
    _f(
        "age",
        "int",
        "the applicant's age in years",
        "ansøgerens alder",
        unit="years",
        min=0,
        lower_bound="bounds.applicant_age_min",
        bound="bounds.applicant_age_max",
    ),
    _f(
        "current_department_id",
        "string",
        "department the applicant lives in now, if any (a department of another "
        "municipality too: the ranking compares it with the vacancy's department)",
        "afdeling ansøgeren bor i nu, hvis nogen",
        check=_not_cpr,
        check_text="a department id, not shaped like a CPR number",
    ),
    # work
    _f(
        "employment_hours_per_week",
        "float",
        "the applicant's contracted working hours",
        "ansøgerens aftalte ugentlige arbejdstid",
        unit="hours/week",
        min=0,
        bound="bounds.hours_per_week",
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
        bound="bounds.fixed_term_months",
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
        "CVR number of the applicant's own business, if any (8 digits, modulus-11)",
        "CVR-nummer for ansøgerens egen virksomhed (8 cifre, modulus-11)",
        pattern=CVR_PATTERN,
        check=valid_cvr_mask,
        check_text="passing the modulus-11 check (a CVR number, not a CPR number)",
    ),
    _f(
        "partner_employment_hours_per_week",
        "float",
        "the partner's contracted working hours",
        "ægtefælle/samlevers ugentlige arbejdstid",
        unit="hours/week",
        min=0,
        bound="bounds.hours_per_week",
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
        bound="bounds.rooms",
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
)


def _statutory(
    name: str, dtype: str, meaning: str, meaning_da: str, **kw: object
) -> ApplicantField:
    return _f(name, dtype, meaning, meaning_da, statutory=True, personal=True, **kw)


# The household facts of the statutory limits on the municipal referral (almenboligloven
# § 59, stk. 6 and 7, read by fuaalborg.letting.referral_limits). They are declared here,
# once, so that no criterion reads them and no plug-in declares a field of the same name:
# a renamed or new statutory fact is added to this tuple and nowhere else in the criteria.
_STATUTORY: tuple[ApplicantField, ...] = (
    _statutory(
        "released_from_prison_on",
        "date",
        "a household member's release from an institution of the Prison and Probation "
        "Service after a conviction (§ 59, stk. 6, nr. 1)",
        "løsladelse fra institution under kriminalforsorgen efter dom",
    ),
    _statutory(
        "released_from_youth_institution_on",
        "date",
        "a household member under 18 released from an institution outside the Prison and "
        "Probation Service after a conviction (§ 59, stk. 6, nr. 2)",
        "løsladelse af en under 18-årig fra institution uden for kriminalforsorgen efter dom",
    ),
    _statutory(
        "action_plan_required",
        "bool",
        "an action plan must be prepared for the released member (serviceloven § 141, "
        "§ 57 c; the second condition of § 59, stk. 6, nr. 1-2)",
        "der skal udarbejdes handleplan for det løsladte husstandsmedlem",
    ),
    _statutory(
        "lease_terminated_on",
        "date",
        "a lease ended for serious breach of good order (§ 59, stk. 6, nr. 3)",
        "lejemål ophævet eller opsagt pga. grove overtrædelser af god skik og orden",
    ),
    _statutory(
        "eu_eea_swiss_citizen",
        "bool",
        "a household member is a citizen of an EU/EEA country or Switzerland "
        "(§ 59, stk. 6, nr. 4)",
        "et husstandsmedlem er statsborger i et EU/EØS-land eller Schweiz",
    ),
    _statutory(
        "student",
        "bool",
        "a household member studies at a publicly recognised institution "
        "(the exception of § 59, stk. 6, nr. 4)",
        "et husstandsmedlem er studerende ved en offentligt anerkendt uddannelsesinstitution",
    ),
    *(
        _statutory(
            f"{benefit}_months",
            "int",
            f"consecutive calendar months of {english} (§ 59, stk. 6-7)",
            f"sammenhængende kalendermåneder med {danish}",
            unit="months",
            min=0,
            bound="bounds.benefit_months",
        )
        for benefit, english, danish in (
            ("cash_benefit", "cash benefit (kontanthjælp)", "kontanthjælp"),
            ("education_benefit", "education benefit (uddannelseshjælp)", "uddannelseshjælp"),
            (
                "self_support_benefit",
                "self-support and return benefit (selvforsørgelses- og hjemrejseydelse)",
                "selvforsørgelses- og hjemrejseydelse",
            ),
            ("transition_benefit", "transition benefit (overgangsydelse)", "overgangsydelse"),
            (
                "cash_benefit_s16_1",
                "cash benefit under aktivloven § 16, stk. 1",
                "kontanthjælp efter aktivlovens § 16, stk. 1",
            ),
            (
                "cash_benefit_s16_2",
                "cash benefit under aktivloven § 16, stk. 2",
                "kontanthjælp efter aktivlovens § 16, stk. 2",
            ),
            (
                "unemployment_sickness",
                "unemployment, sickness or resource-course benefit",
                "dagpenge, sygedagpenge eller ressourceforløbsydelse",
            ),
        )
    ),
    _statutory(
        "disability_pension",
        "bool",
        "a household member receives disability pension (førtidspension; § 59, stk. 6, nr. 6)",
        "et husstandsmedlem modtager førtidspension",
    ),
    _statutory(
        "benefit_received",
        "string",
        "the benefit the applicant receives now (almenboligloven § 51 c)",
        "ydelse ansøgeren modtager nu (almenboligloven § 51 c)",
        allowed=BENEFIT_CODES,
    ),
    _statutory(
        "partner_benefit_received",
        "string",
        "the benefit the applicant's spouse or cohabitant of at least 2 years receives now "
        "(almenboligloven § 51 c)",
        "ydelse ægtefælle eller samlever modtager nu (almenboligloven § 51 c)",
        allowed=(*BENEFIT_CODES, "no_partner"),
    ),
    _statutory(
        "s51c_dispensation",
        "bool",
        "the municipality has dispensed from the refusal (almenboligloven § 51 c, stk. 4)",
        "kommunen har dispenseret fra afvisningen (almenboligloven § 51 c, stk. 4)",
    ),
)

#: Every declared applicant field (canonical, wishes, protected), in order.
APPLICANT_FIELDS: tuple[ApplicantField, ...] = _CANONICAL + _WISHES + _PROTECTED + _STATUTORY

#: The waiting-list table spec (venteliste); undeclared columns are passed through. A
#: table of persons: its errors name the column, row and what was expected, never a value.
APPLICANTS = TableSpec(
    name="applicants",
    description="The waiting list: one row per applicant per list (internal, external)",
    description_da="Ventelisten: én række pr. ansøger pr. liste (intern, ekstern)",
    key=("applicant_id", "list"),
    columns=APPLICANT_FIELDS,
    personal=True,
)

#: Fields every waiting list must have.
REQUIRED_FIELDS: frozenset[str] = frozenset(f.name for f in APPLICANT_FIELDS if f.required)
#: The applicant's wishes, read by the ranking (not protected, not criteria).
WISH_FIELDS: frozenset[str] = frozenset(f.name for f in _WISHES)
#: Declared protected fields: never readable by any criterion.
PROTECTED_FIELDS: frozenset[str] = frozenset(f.name for f in _PROTECTED)
#: Declared household facts of the statutory referral limits (almenboligloven § 59):
#: read only by :mod:`fuaalborg.letting.referral_limits`, never by a criterion.
STATUTORY_FIELDS: tuple[ApplicantField, ...] = _STATUTORY
#: Household fields the statutory rules no longer read (their replacements are named by the
#: parameter ``referral.limits.retired_fields``): kept reserved so that no plug-in reuses them.
RETIRED_STATUTORY_NAMES: frozenset[str] = frozenset({"social_assistance_months"})
#: The names of :data:`STATUTORY_FIELDS`, and the retired ones.
STATUTORY_NAMES: frozenset[str] = (
    frozenset(f.name for f in _STATUTORY) | RETIRED_STATUTORY_NAMES
)
#: Fields that identify the applicant: a criterion decides on declared facts, never on who
#: the applicant is (reading an id would let a plug-in join data of its own about named
#: applicants).
IDENTIFYING_FIELDS: frozenset[str] = frozenset(
    f.name for f in APPLICANT_FIELDS if f.personal and not f.protected and not f.statutory
)

_ETHNIC = (
    "lov om etnisk ligebehandling § 3 (direkte forskelsbehandling); forskelsbehandlingsloven § 1"
)
_INDIRECT = (
    "lov om etnisk ligebehandling § 3 (indirekte forskelsbehandling: a seemingly neutral "
    "criterion that puts persons of an ethnic origin at a disadvantage)"
)


@attrs.frozen
class ProtectedConcept:
    """A protected concept (or a proxy for one) and the words that name it.

    ``kind`` is ``"protected"`` (a ground the law protects directly) or
    ``"proxy"`` (a seemingly neutral fact that stands in for national or ethnic
    origin: indirect discrimination). ``stems`` match anywhere in a name (after
    folding, see :func:`fold`); ``words`` match whole words only.
    ``name_stems`` and ``name_words`` are matched in field names only, not in
    meaning texts, where they are common and innocent (``navn`` in ``navnlig``,
    ``danish`` in "Danish kroner"). ``basis`` cites the rule.
    """

    concept: str
    concept_da: str
    kind: str
    basis: str
    stems: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    name_stems: tuple[str, ...] = ()
    name_words: tuple[str, ...] = ()


#: The protected concepts and the proxies for them that no criterion may read, English and
#: Danish. The test errs on the side of refusal: rename an innocent field rather than weaken
#: the list.
PROTECTED_CONCEPTS: tuple[ProtectedConcept, ...] = (
    ProtectedConcept(
        "ethnicity, race or skin colour",
        "etnicitet, race eller hudfarve",
        "protected",
        _ETHNIC,
        stems=("ethnic", "etnic", "etnisk", "racial", "skincolo", "skintone", "hudfarv",
               "minorit"),
        words=("race", "races", "skin", "ethnos"),
    ),
    ProtectedConcept(
        "national or ethnic origin, descent",
        "national eller etnisk oprindelse, afstamning",
        "protected",
        _ETHNIC,
        stems=("nationalorigin", "herkomst", "oprindelse", "afstamning", "nedstamning",
               "ancestr", "descent", "heritage", "hjemland", "homeland", "motherland",
               "fatherland", "fadreland", "countryoforigin", "nativecountry",
               "oprindelsesland", "udlanding"),
        words=("origin", "origins", "national", "nation", "country", "countries", "land",
               "foreign", "foreigner", "foreigners", "native", "natives", "western",
               "vestlig", "vestlige", "roots"),
    ),
    ProtectedConcept(
        "citizenship or nationality",
        "statsborgerskab eller nationalitet",
        "protected",
        "the housing authority's guidance: citizenship is no objective letting criterion; "
        + _ETHNIC,
        stems=("citizen", "statsborger", "nationalit", "indfods", "naturalis", "naturaliz",
               "passport"),
        words=("pas",),
    ),
    ProtectedConcept(
        "country or place of birth",
        "fødeland eller fødested",
        "protected",
        _ETHNIC,
        stems=("countryofbirth", "birthcountry", "birthplace", "placeofbirth", "fodeland",
               "fodested", "fodeby", "fodekommune", "birthtown", "birthcity",
               "birthmunicipal", "birtharea", "areaofbirth", "bornin"),
    ),
    ProtectedConcept(
        "immigrant, descendant or refugee status",
        "indvandrer-, efterkommer- eller flygtningestatus",
        "protected",
        _ETHNIC,
        stems=("immigra", "indvandr", "efterkommer", "descendant", "refugee", "flygtning",
               "asylum", "asyl", "migrant", "nonwestern", "ikkevestlig"),
    ),
    ProtectedConcept(
        "religion or belief",
        "religion eller tro",
        "protected",
        "forskelsbehandlingsloven § 1",
        stems=("religio", "trosretning", "trossamfund", "livssyn", "belief", "faith",
               "church", "kirke", "mosque", "moske", "synagog", "islam", "muslim",
               "christian", "kristen", "jewish", "jodisk", "hindu", "buddh", "catholic",
               "katolsk"),
        words=("tro", "creed"),
    ),
    ProtectedConcept(
        "language or mother tongue",
        "sprog eller modersmål",
        "protected",
        _ETHNIC,
        stems=("mothertongue", "nativelanguage", "firstlanguage", "homelanguage",
               "modersmal", "accent", "dialect"),
        words=("language", "languages", "sprog", "tongue"),
    ),
    ProtectedConcept(
        "name",
        "navn",
        "protected",
        "a name is a proxy for ethnic origin; " + _INDIRECT,
        stems=("surname", "firstname", "lastname", "familyname", "givenname", "fullname",
               "nickname", "fornavn", "efternavn", "mellemnavn", "kaldenavn"),
        words=("name", "names", "navn", "navne", "initials", "initialer"),
        name_stems=("name", "navn"),
    ),
    ProtectedConcept(
        "sex, sexual orientation, gender identity or expression, sex characteristics",
        "køn, seksuel orientering, kønsidentitet, kønsudtryk, kønskarakteristika",
        "protected",
        "forskelsbehandlingsloven § 1",
        stems=("sexualorient", "seksuelorient", "seksuelleorient", "genderident",
               "genderexpress", "konsidentitet", "konsudtryk", "konskarakteristik",
               "sexcharacteristic", "transgender", "transkon", "intersex", "interkon"),
        words=("sex", "gender", "kon", "lgbt", "lgbti"),
    ),
    ProtectedConcept(
        "CPR number",
        "CPR-nummer",
        "protected",
        "the CPR number identifies the person and encodes sex and birth date",
        stems=("personnummer", "cprnummer", "socialsecurity"),
        words=("cpr", "ssn"),
    ),
    ProtectedConcept(
        "area labels derived from ethnicity",
        "områdebetegnelser afledt af etnicitet",
        "protected",
        "EU-Domstolen C-417/23 (18 December 2025); " + _ETHNIC,
        stems=("ghetto", "parallelsamfund", "parallelsociet"),
    ),
    ProtectedConcept(
        "time lived in Denmark",
        "opholdstid i Danmark",
        "proxy",
        _INDIRECT,
        stems=("opholdstid", "botid", "bopalstid", "residenceyears", "yearsofresidence",
               "residencetime", "lengthofresidence", "durationofresidence", "yearsindenmark",
               "yearslivedindenmark", "livedindenmark", "yearsindk", "aridanmark",
               "boetidanmark", "bosatidanmark"),
    ),
    ProtectedConcept(
        "a reference to Denmark or Danish (residence, language, citizenship)",
        "en henvisning til Danmark eller dansk (ophold, sprog, statsborgerskab)",
        "proxy",
        _INDIRECT,
        words=("denmark", "danmark", "dk"),
        name_words=("danish", "dansk", "danske"),
    ),
    ProtectedConcept(
        "arrival date",
        "indrejse- eller ankomstdato",
        "proxy",
        _INDIRECT,
        stems=("arrival", "arrived", "ankomst", "indrejse", "entrydate", "dateofentry",
               "immigrationdate"),
    ),
    ProtectedConcept(
        "residence or work permit",
        "opholds- eller arbejdstilladelse",
        "proxy",
        _INDIRECT,
        stems=("residencepermit", "workpermit", "opholdstilladelse", "opholdsgrundlag",
               "arbejdstilladelse", "permanentresiden", "permanentophold", "greencard"),
        words=("visa", "permit", "permits"),
    ),
    ProtectedConcept(
        "Danish-language test or course",
        "danskprøve eller danskuddannelse",
        "proxy",
        _INDIRECT,
        stems=("danskprov", "danishtest", "languagetest", "sprogprov", "proveidansk",
               "danskuddannelse", "danishcourse", "languagecourse", "sprogskole",
               "medborgerskabsprov", "danishlevel", "danishskill", "danskkundskab"),
    ),
    ProtectedConcept(
        "previous address, postcode or area",
        "tidligere adresse, postnummer eller område",
        "proxy",
        _INDIRECT,
        stems=("previousaddress", "formeraddress", "tidligereadresse", "address", "adresse",
               "postcode", "postalcode", "postnummer", "postnr", "zipcode",
               "previousresiden", "formerresiden", "tidligerebopal", "previousarea",
               "tidligereomrade", "neighbourhood", "neighborhood", "bydel", "kvarter"),
        words=("zip",),
    ),
)

_DIGRAPHS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})


def fold(text: str) -> str:
    """Fold a name or text for matching: lower case, Danish letters and their spellings as one.

    ``æ``/``ae``, ``ø``/``oe`` and ``å``/``aa`` all fold to one letter (``a``,
    ``o``, ``a``), so ``fødeland``, ``foedeland`` and ``fodeland`` match alike;
    accents are dropped; camelCase is split. Both the names checked and the
    concepts' stems are folded the same way.

    >>> fold("Fødeland"), fold("foedeland"), fold("modersmaal"), fold("indfødsret")
    ('fodeland', 'fodeland', 'modersmal', 'indfodsret')
    """
    spaced = re.sub(r"([a-zæøå0-9])([A-ZÆØÅ])", r"\1 \2", text)
    lowered = unicodedata.normalize("NFKC", spaced).lower().translate(_DIGRAPHS)
    ascii_text = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return re.sub(r"aa|ae|oe|ue", lambda m: m.group(0)[0], ascii_text)


@functools.cache
def _compact(text: str) -> str:
    """``text`` folded, with only its letters and digits."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", fold(text)) if w]


@attrs.frozen
class _Compiled:
    concept: ProtectedConcept
    stems: tuple[str, ...]
    words: frozenset[str]
    name_stems: tuple[str, ...]
    name_words: frozenset[str]


def _compile(concept: ProtectedConcept) -> _Compiled:
    def folded(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(fold(v) for v in values))

    stems, words = folded(concept.stems), frozenset(folded(concept.words))
    return _Compiled(
        concept,
        stems=stems,
        words=words,
        name_stems=stems + folded(concept.name_stems),
        name_words=words | frozenset(folded(concept.name_words)),
    )


_COMPILED = tuple(_compile(c) for c in PROTECTED_CONCEPTS)


@attrs.frozen
class ProtectedMatch:
    """Why a name or text is refused: the concept it matched and the word or stem that did."""

    concept: ProtectedConcept
    matched: str

    def describe(self) -> str:
        """``'herkomst' (national or ethnic origin, descent; lov om …)``."""
        kind = "a proxy for national or ethnic origin: " if self.concept.kind == "proxy" else ""
        return f"{self.matched!r} ({kind}{self.concept.concept}; {self.concept.basis})"


def protected_match(name: str) -> ProtectedMatch | None:
    """The protected concept a field *name* matches, or ``None``.

    Matches whole words of a concept, and its stems anywhere in the name with
    separators removed (``yearsLivedInDenmark``, ``foedeland``,
    ``previous_address_postcode``); the longest stem found names the concept.

    >>> protected_match("years_lived_in_denmark").concept.concept
    'time lived in Denmark'
    >>> protected_match("arrival_date_dk").concept.concept
    'arrival date'
    >>> protected_match("employment_hours_per_week") is None
    True
    """
    return _best(_words(name), names=True)


def _best(words: list[str], *, names: bool) -> ProtectedMatch | None:
    """The most specific match: the longest stem of any concept, else the first whole word."""
    if names:
        windows = ["".join(words)]
    else:  # running text: within a word or across up to four neighbouring words
        windows = [
            "".join(words[i : i + k]) for k in range(1, 5) for i in range(len(words) - k + 1)
        ]
    best: ProtectedMatch | None = None
    for compiled in _COMPILED:
        for stem in compiled.name_stems if names else compiled.stems:
            if (best is None or len(stem) > len(best.matched)) and any(
                stem in w for w in windows
            ):
                best = ProtectedMatch(compiled.concept, stem)
    if best is not None:
        return best
    for word in words:
        for compiled in _COMPILED:
            if word in (compiled.name_words if names else compiled.words):
                return ProtectedMatch(compiled.concept, word)
    return None


def meaning_match(text: str) -> ProtectedMatch | None:
    """The protected concept a field's *meaning* (running text) mentions, or ``None``.

    Like :func:`protected_match`, but for prose: stems are matched within a
    word or a few neighbouring words, and words that are common and innocent in
    running text (``name`` inside longer words, ``danish``) are left out.

    >>> meaning_match("years the applicant has lived in Denmark").matched
    'livedindenmark'
    >>> meaning_match("volunteers in the department's residents' activities") is None
    True
    """
    return _best(_words(text), names=False)


def is_protected_name(name: str) -> bool:
    """Whether a field name matches a protected concept or proxy, in English or Danish.

    True for the declared :data:`PROTECTED_FIELDS` and :data:`STATUTORY_NAMES`
    and for every name :func:`protected_match` matches. CamelCase, separators
    and Danish letters (and their ASCII spellings) are folded first. The test
    errs on the side of refusal: rename an innocent field rather than weaken it.

    >>> from fuaalborg.criteria.vocabulary import is_protected_name, protected_columns
    >>> [is_protected_name(n) for n in ("applicantName", "Herkomst_land", "ikke-vestlig_omraade")]
    [True, True, True]
    >>> [is_protected_name(n) for n in ("foedeland", "modersmaal", "arrival_date_dk")]
    [True, True, True]
    >>> [is_protected_name(n) for n in ("employment_hours_per_week", "in_education", "children")]
    [False, False, False]
    """
    if name in PROTECTED_FIELDS or name in STATUTORY_NAMES or protected_match(name) is not None:
        return True
    compact = _compact(name)  # a statutory fact of several words inside a longer name
    return any(_compact(s) in compact for s in STATUTORY_NAMES if "_" in s)


def protected_columns(columns: Iterable[object]) -> list[str]:
    """The names among ``columns`` that are protected (declared, statutory or by name).

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


# Renamed names, kept for one release: ``LISTS`` also named the table of official
# list designations (:data:`fuaalborg.specs.LISTS`).
_RENAMED = {"LISTS": ("fuaalborg.model", "TURNS")}


def __getattr__(name: str) -> Any:
    """``LISTS`` is deprecated: it is :data:`fuaalborg.model.TURNS`."""
    return _lazy.deprecated(__name__, name, _RENAMED)
