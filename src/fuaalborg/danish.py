"""Danish column headers and values (danske kolonnenavne og værdier): one glossary.

Every column fuaalborg reads or writes has a canonical English name (a contract
for code) and one Danish header, listed once in :data:`HEADERS`; a column with a
closed set of values (``list``: ``internal``/``external``) has one Danish word
per value in :data:`VALUES`. The readers accept a file written either way (one
language per file), the writers write either way, and the data dictionary is
generated from the same glossary, so the three cannot drift apart.

>>> header("applicant_id"), header("seniority_date"), value("internal")
('ansøger_id', 'anciennitetsdato', 'intern')

Columns whose names a step-model preset or a report builds from other names
(``value_<column>``, ``met_<step>_<column>``, ``<step>_criteria_met``, a
``_a``/``_b`` suffix in a comparison) are translated part by part:

>>> header("value_conviction_ratio"), header("met_yellow_basic_education_pct")
('værdi_dømte_gange_landsgennemsnit', 'opfyldt_gul_kun_grundskole_pct')
>>> header("yellow_criteria_met")
'gul_kriterier_opfyldt'

A step's name in such a header is a preset's own word: the glossary's Danish
value where it has one (the bundled presets name their steps by colour), else
the name as the preset writes it.

A name the glossary does not know (a plug-in's own field) keeps its name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fuaalborg._types import Language

__all__ = ["BOOLEAN", "HEADERS", "VALUES", "VALUE_COLUMNS", "header", "value", "value_in"]

#: Canonical column name -> Danish header. Each column has one header wherever it appears.
HEADERS: Mapping[str, str] = {
    # organisations, departments, dwellings, areas
    "organisation_cvr": "boligorganisation_cvr",
    "organisation": "boligorganisation",
    "name": "navn",
    "department_id": "afdeling_id",
    "department": "afdeling",
    "area_id": "område_id",
    "family_dwellings": "familieboliger",
    "bab_dwellings": "bab_boliger",
    "residents": "beboere",
    "residents_18_64": "beboere_18_64",
    "dwelling_id": "bolig_id",
    "kind": "type",
    "rooms": "rum",
    "area_m2": "areal_m2",
    "monthly_rent_dkk": "månedsleje_kr",
    "floor": "etage",
    "dwelling_type": "boligtype",
    "lift": "elevator",
    # indicators and lists
    "measured_on": "opgørelsesdato",
    "source": "kilde",
    "units": "lejemål",
    "outside_work_education_pct": "uden_arbejde_uddannelse_pct",
    "conviction_ratio": "dømte_gange_landsgennemsnit",
    "conviction_pct": "dømte_pct",
    "basic_education_pct": "kun_grundskole_pct",
    "income_ratio_pct": "indkomst_pct_af_gennemsnit",
    "non_western_pct": "ikkevestlige_pct",
    "list_date": "listedato",
    "designation": "udpegning",
    # the waiting list
    "applicant_id": "ansøger_id",
    "list": "liste",
    "seniority_date": "anciennitetsdato",
    "active": "aktiv",
    "household_size": "husstandsstørrelse",
    "children": "børn",
    "age": "alder",
    "current_department_id": "nuværende_afdeling_id",
    "employment_hours_per_week": "arbejdstimer_pr_uge",
    "employment_permanent": "fastansat",
    "fixed_term_months": "tidsbegrænset_ansættelse_måneder",
    "wage_subsidy": "løntilskud",
    "self_employed_cvr": "selvstændig_cvr",
    "partner_employment_hours_per_week": "partner_arbejdstimer_pr_uge",
    "partner_employment_permanent": "partner_fastansat",
    "in_education": "under_uddannelse",
    "apprentice": "elev_lærling",
    "partner_in_education": "partner_under_uddannelse",
    "highest_education": "højeste_uddannelse",
    "criminal_record_clean": "ren_straffeattest",
    "annual_household_income_dkk": "husstandsindkomst_kr_år",
    "works_in_municipality": "arbejder_i_kommunen",
    "separated_within_year": "separeret_seneste_år",
    "needs_accessible_dwelling": "behov_for_tilgængelig_bolig",
    "min_rooms": "mindst_rum",
    "max_rent_dkk": "højst_månedsleje_kr",
    "wanted_department_ids": "ønskede_afdelinger",
    "ethnicity": "etnicitet",
    "ethnic_origin": "etnisk_oprindelse",
    "race": "race",
    "skin_colour": "hudfarve",
    "national_origin": "national_oprindelse",
    "citizenship": "statsborgerskab",
    "nationality": "nationalitet",
    "country_of_birth": "fødeland",
    "immigrant_status": "indvandrerstatus",
    "religion": "religion",
    "mother_tongue": "modersmål",
    "sexual_orientation": "seksuel_orientering",
    "gender_identity": "kønsidentitet",
    "cpr": "cpr_nummer",
    # household facts read only by statutory rules (almenboligloven § 59, stk. 6-7; § 51 c)
    "released_from_prison_on": "løsladt_fra_fængsel_den",
    "released_from_youth_institution_on": "udskrevet_fra_institution_den",
    "action_plan_required": "handleplan_påkrævet",
    "lease_terminated_on": "lejemål_ophævet_den",
    "eu_eea_swiss_citizen": "eu_eøs_schweizisk_statsborger",
    "student": "studerende",
    "cash_benefit_months": "kontanthjælp_måneder",
    "education_benefit_months": "uddannelseshjælp_måneder",
    "self_support_benefit_months": "selvforsørgelsesydelse_måneder",
    "transition_benefit_months": "overgangsydelse_måneder",
    "cash_benefit_s16_1_months": "kontanthjælp_16_stk1_måneder",
    "cash_benefit_s16_2_months": "kontanthjælp_16_stk2_måneder",
    "unemployment_sickness_months": "dagpenge_sygedagpenge_måneder",
    "disability_pension": "førtidspension",
    "benefit_received": "modtaget_ydelse",
    "partner_benefit_received": "partner_modtaget_ydelse",
    "s51c_dispensation": "dispensation_51c",
    # evictions
    "date": "dato",
    "count": "antal",
    "route": "udlejningsvej",
    # placements and the overview
    "colour": "farve",
    "dwellings": "boliger",
    "step": "trin",
    "step_name": "trin_navn",
    "basis": "grundlag",
    "monitored": "monitoreret",
    "reason": "begrundelse",
    "preset": "trinmodel",
    "ethnicity_indicator": "etnicitetsindikator",
    "previous_colour": "tidligere_farve",
    "changed": "ændret",
    "notice": "bemærkning",
    # area classification
    "law_version": "lovversion",
    "udsat_criteria_met": "udsat_kriterier_opfyldt",
    "udsat": "udsat",
    "parallelsamfund": "parallelsamfund",
    "parallelsamfund_years": "parallelsamfund_år_i_træk",
    "omdannelse": "omdannelse",
    "forebyggelse_criteria_met": "forebyggelse_kriterier_opfyldt",
    "forebyggelse": "forebyggelse",
    "official_designation": "officiel_udpegning",
    "matches_official": "som_officiel",
    "computed": "beregnet",
    "official": "officiel",
    # rankings
    "rank": "placering",
    "group": "gruppe",
    "criteria_met": "opfyldte_kriterier",
    "eligible": "kan_komme_i_betragtning",
    "reason_code": "årsagskode",
    "reason_codes": "årsagskoder",
    "reason_text": "årsag",
    # the letting ledger: events (``fuaalborg ledger events``)
    "seq": "løbenummer",
    "type": "hændelse",
    "at": "tidspunkt",
    "format": "format",
    "municipality": "kommune",
    "fingerprint": "fingeraftryk",
    "danish": "dansk",
    "flexible_shares": "fleksible_andele",
    "values": "værdier",
    "on": "hændelsesdato",
    "share": "andel",
    "vacancy_id": "ledig_bolig_id",
    "colour_basis": "farvegrundlag",
    "subroute": "udlejningsform",
    "turn": "tur",
    "n_referral": "nr_anvisning",
    "n_flexible": "nr_fleksibel",
    "n_turn": "nr_tur",
    "rules": "regler",
    "department_share": "afdelingens_fleksible_andel",
    "late": "sent_registreret",
    "answer": "svar",
    "by": "af",
    "counted": "talt_med",
    "counters": "tællere",
    "organisations": "boligorganisationer",
    "changes": "ændringer",
    "note": "bemærkning",
    "round": "runde",
    "deadline": "svarfrist",
    "offers": "tilbud",
    "skipped": "sprunget_over",
    "winner": "vinder",
    "unanswered": "ubesvarede",
    "period_days": "periode_dage",
    "seniority_consumed": "anciennitet_brugt",
    # the letting ledger: each department's counters (``fuaalborg ledger state``)
    "referral": "tæller_anvisning",
    "flexible": "tæller_fleksibel",
    "turns": "tæller_tur",
    "vacancies": "ledige_boliger",
    "referred": "anvist",
    "returned": "returneret",
    "waiting_list": "til_venteliste",
    "voided": "annulleret",
    "last_vacancy_on": "seneste_ledighedsdato",
    # the agreement's calendar
    "id": "id",
    "due": "frist",
    "status": "status",
    "body": "organ",
    "subject": "emne_engelsk",
    "subject_da": "emne",
    "opens": "åbner",
    "done_on": "udført_den",
    "reading": "fortolkning",
    "assumed": "antaget",
}

#: Canonical value -> Danish value, for the columns with a closed set of values.
VALUES: Mapping[str, str] = {
    # waiting lists, letting routes
    "internal": "intern",
    "external": "ekstern",
    "referral": "anvisning",
    "flexible": "fleksibel",
    "ordinary": "almindelig",
    "unknown": "ukendt",
    # dwellings and areas
    "family": "familie",
    "bab": "bab",
    "youth": "ungdomsegnet",
    "senior": "ældreegnet",
    "accessible": "handicapegnet",
    "ministry": "ministeriel",
    "local": "lokal",
    # indicator sources
    "twin_tool": "tvillingeværktøj",
    "parallel_data": "parallelsamfundsdata",
    # designations
    "omdannelse": "omdannelse",
    "parallelsamfund": "parallelsamfund",
    "udsat": "udsat",
    "forebyggelse": "forebyggelse",
    "none": "ingen",
    # the referral's placement in a colour's departments (colour_rules.referral_placement)
    "yes": "ja",
    "restricted": "begrænset",
    "no": "nej",
    # colours and the basis of a colour
    "green": "grøn",
    "yellow": "gul",
    "red": "rød",
    "list": "liste",
    "twin tool": "tvillingeværktøj",
    "unmonitored": "ikke monitoreret",
    "no data": "ingen data",
    # education levels
    "basic": "grundskole",
    "upper_secondary": "gymnasial",
    "vocational": "erhvervsfaglig",
    "short_higher": "kort_videregående",
    "higher": "videregående",
    # benefits (almenboligloven § 51 c)
    "other": "anden",
    "cash_benefit": "kontanthjælp",
    "education_benefit": "uddannelseshjælp",
    "self_support_benefit": "selvforsørgelsesydelse",
    "transition_benefit": "overgangsydelse",
    "no_partner": "ingen_partner",
    # the letting ledger: event types, routes, answers, colour bases, reason codes
    "created": "oprettet",
    "organisations": "boligorganisationer",
    "rules": "regler",
    "flexible_share": "fleksibel_andel",
    "vacancy": "ledig_bolig",
    "answer": "svar",
    "void": "annullering",
    "correction": "rettelse",
    "stock": "boligbestand",
    "offers_sent": "tilbud_sendt",
    "offer_answer": "svar_på_tilbud",
    "offer_round_closed": "tilbudsrunde_lukket",
    "applicant_passive": "ansøger_passiv",
    "signed": "lejekontrakt_underskrevet",
    "waiting_list": "venteliste",
    "accepted": "accepteret",
    "declined": "afvist",
    "let": "udlejet",
    "accept": "accepterer",
    "refuse": "afslår",
    "no_answer": "intet_svar",
    "given": "angivet",
    "step model": "trinmodel",
    "referral_turn": "anvisningens_tur",
    "waiting_list_turn": "ventelistens_tur",
    "colour_exempt": "fritaget_efter_farve",
    "bab_exempt": "bab_fritaget",
    "returned": "returneret",
    # the calendar's statuses and duties
    "done": "udført",
    "overdue": "overskredet",
    "due": "forfalden",
    "upcoming": "kommende",
    "event": "begivenhed",
    # the calendar's kinds of duty (``kind``)
    "monitoring_update": "monitoreringsopdatering",
    "meeting": "møde",
    "yearly_assessment": "årlig_vurdering",
    "annex_review": "bilagsgennemgang",
    "renegotiation_call": "indkaldelse_til_genforhandling",
    "evaluation": "evaluering",
    "renegotiation": "genforhandling",
    "agreement_revision": "revision_af_aftale",
    "mandatory_criteria_revision": "revision_af_obligatoriske_kriterier",
    "mandatory_criteria_lapse": "obligatoriske_kriterier_bortfalder",
    # the monitoring tool's data sources, as the calendar names them
    "parallel-society data": "parallelsamfundsdata",
    "ministry lists": "ministeriets lister",
    # the criteria audit: the kind of subject checked and the variant of the sample (its
    # protected columns shuffled, replaced by synthetic values, removed; its rows reordered);
    # "syntetisk" is left to the example municipality's name, which outputs are checked for
    "criterion": "kriterium",
    # the other kind of a step's test (the audit's words share the "kind" column)
    "condition": "betingelse",
    "agreement": "aftale",
    "shuffled": "blandet",
    "synthetic": "erstattet",
    "removed": "fjernet",
    "row order": "anden rækkefølge",
}

#: Columns whose values a writer translates (closed sets of :data:`VALUES`).
VALUE_COLUMNS: frozenset[str] = frozenset(
    {
        "list", "kind", "source", "designation", "colour", "previous_colour", "basis",
        "highest_education", "route", "official_designation", "computed", "official",
        "colour_a", "colour_b", "status", "dwelling_type", "step_name",
        "benefit_received", "partner_benefit_received",
        # the letting ledger's events
        "type", "subroute", "turn", "answer", "colour_basis", "reason_code",
    }
)

#: How a Danish file writes true and false.
BOOLEAN: Mapping[bool, str] = {True: "ja", False: "nej"}

def _split(rest: str) -> tuple[str, str] | None:
    """``<prefix>_<known column>``: the prefix and the column, trying each underscore."""
    for i in range(len(rest)):
        if rest[i] == "_" and rest[i + 1 :] in HEADERS:
            return rest[:i], rest[i + 1 :]
    return None


def header(name: str) -> str:
    """The Danish header of the column ``name`` (unchanged when the glossary lacks it)."""
    if name in HEADERS:
        return HEADERS[name]
    if name.startswith("met_"):
        found = _split(name.removeprefix("met_"))
        if found:
            return f"opfyldt_{value(found[0])}_{HEADERS[found[1]]}"
    if name.startswith("value_"):
        rest = name.removeprefix("value_")
        if rest in HEADERS:
            return f"værdi_{HEADERS[rest]}"
        found = _split(rest)
        if found and found[0] in VALUES:
            return f"værdi_{VALUES[found[0]]}_{HEADERS[found[1]]}"
    if name.endswith("_criteria_met"):
        return f"{value(name.removesuffix('_criteria_met'))}_kriterier_opfyldt"
    pair = re.fullmatch(r"(.+)_([ab])", name)
    if pair and pair.group(1) in HEADERS:
        return f"{HEADERS[pair.group(1)]}_{pair.group(2)}"
    return name


def value(canonical: str) -> str:
    """The Danish form of a closed-set value (unchanged when the glossary lacks it)."""
    return VALUES.get(canonical, canonical)


def value_in(canonical: str, lang: Language) -> str:
    """A closed-set value as an output in ``lang`` shows it: :func:`value` in Danish, the
    canonical English word itself in English.

    >>> value_in("red", "da"), value_in("red", "en")
    ('rød', 'red')
    """
    return value(canonical) if lang == "da" else canonical
