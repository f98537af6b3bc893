"""All wording of the reports, in Danish (the default) and English.

Every heading, note, source line and axis title a report shows is a label here,
as a (Danish, English) pair; the other report modules look their words up with
:func:`label` and never choose between languages themselves. A label with
``{name}`` fields is a template, filled in with ``str.format``.

>>> label("R1", "da")
'R1 Udlejninger efter udlejningsvej'
>>> label("R1", "en")
'R1 Lettings by route'
>>> label("source.dwellings", "en").format(n=23324)
'Dwellings: 23324'
"""

from __future__ import annotations

from fuaalborg import danish
from fuaalborg._types import LANGUAGES as LANGUAGES
from fuaalborg._types import Language as Language
from fuaalborg.errors import ValidationError
from fuaalborg.model import COLOURS
from fuaalborg.monitoring.steps import BASES, ETHNICITY_NOTICE, ETHNICITY_NOTICE_DA
from fuaalborg.specs import DESIGNATIONS

__all__ = ["LANGUAGES", "Language", "either", "label", "language"]

#: The values of R5's closed sets: colours, the basis of a colour, area designations.
#: A Danish report shows each in the glossary's Danish (:func:`fuaalborg.danish.value`),
#: an English one as it is (the designations are the law's Danish terms, untranslated).
_WORDS = (*COLOURS, *BASES, *DESIGNATIONS)

#: The values of R7's closed sets: the kind of subject the criteria audit checks and the
#: variants of the sample it checks it on (:class:`fuaalborg.criteria.audit.AuditCheck`).
#: A Danish report shows each in the glossary's Danish, an English one as it is.
_AUDIT_WORDS = ("criterion", "agreement", "shuffled", "synthetic", "removed", "row order")

_LABELS: dict[str, tuple[str, str]] = {
    # sections
    "R1": ("R1 Udlejninger efter udlejningsvej", "R1 Lettings by route"),
    "R2": ("R2 Kommunal boliganvisning", "R2 Municipal referral"),
    "R3": ("R3 Fleksibel udlejning", "R3 Flexible letting"),
    "R4": ("R4 Fogedsager", "R4 Evictions"),
    "R5": ("R5 Monitorering", "R5 Monitoring"),
    "R6": ("R6 Ventetid ved udlejning", "R6 Waiting time at letting"),
    "R7": ("R7 Bilag: kriterieaudit og regler", "R7 Annex: criteria audit and rules"),
    "cover": ("Forside", "Cover"),
    "department.removed": ("{id} (udgået af boligbestanden {on})",
                           "{id} (left the housing stock on {on})"),
    "rules": ("Regler", "Rules"),
    "title": (
        "Afrapportering til den strategiske arbejdsgruppe (Fælles Udlejningsaftale, afsnit 7.2)",
        "Report to the strategic working group (joint letting agreement, section 7.2)",
    ),
    # envelope
    "municipality": ("Kommune", "Municipality"),
    "period": ("Periode", "Period"),
    "disclosure": ("Diskretionsniveau", "Disclosure level"),
    "disclosure.parties": (
        "Kun for aftalens parter (afdelingsniveau)",
        "Parties to the agreement only (department level)",
    ),
    "disclosure.public": (
        "Offentlig (organisation og kommune; små tal undertrykt)",
        "Public (organisation and municipality; small counts suppressed)",
    ),
    "language": ("Sprog", "Language"),
    "sources": ("Kilder", "Sources"),
    "notes": ("Bemærkninger", "Notes"),
    "agreement": ("Aftale", "Agreement"),
    "demonstration": (
        "DEMONSTRATION: opdigtede ledige boliger, udlejninger og fogedsager "
        "(demonstrationsjournal), ikke kommunens data",
        "DEMONSTRATION: invented vacancies, lettings and eviction cases (a demonstration "
        "ledger), not the municipality's data",
    ),
    "empty": (
        "Tom rapport: ingen hændelser i udlejningsjournalen i perioden",
        "Empty report: no events in the letting ledger in the period",
    ),
    "suppressed_note": (
        "»..« = undertrykt af diskretionshensyn (antal 1–{last}, værdier beregnet på færre end "
        "{threshold} tilfælde, samt celler der ellers kunne regnes ud fra totaler); »–« = intet "
        "at beregne (ingen tilfælde). Boligbestanden og kommunens forventede behov handler ikke "
        "om personer og undertrykkes ikke.",
        "'..' = suppressed for confidentiality (counts 1–{last}, values derived from fewer than "
        "{threshold} cases, and cells that could otherwise be derived from totals); '–' = "
        "nothing to compute (no cases). The stock of dwellings and the municipality's expected "
        "need are not about people and are not suppressed.",
    ),
    "no_cases_note": (
        "»–« = intet at beregne (ingen tilfælde).",
        "'–' = nothing to compute (no cases).",
    ),
    "generated": ("Dannet", "Generated"),
    "synthetic": ("Syntetiske eksempeldata", "Synthetic example data"),
    "source.ledger": (
        "Udlejningsjournal: {total} ledige boliger i alt, {period} i perioden",
        "Letting ledger: {total} vacancies in all, {period} in the period",
    ),
    "source.step_model": ("Trappetrinsmodel: {preset}, {on}", "Step model: {preset}, {on}"),
    "source.dwellings": ("Boliger: {n}", "Dwellings: {n}"),
    "source.evictions": ("Fogedsager: {n}", "Evictions: {n}"),
    "source.audit": ("Kriterieaudit: {on}", "Criteria audit: {on}"),
    # notes of tables
    "R1_note": (
        "Hver ledig bolig i perioden tælles én gang efter sin aktuelle udlejningsvej; "
        "annullerede ledige boliger tælles ikke.",
        "Every vacancy in the period is counted once, by its current route; voided "
        "vacancies are not counted.",
    ),
    "late_note": (
        "Journalen tæller i den rækkefølge, den registrerer; en ledig bolig dateret før en "
        "tidligere registreret i samme afdeling er registreret sent.",
        "The ledger counts in the order it records; a vacancy dated before one recorded "
        "earlier in its department is recorded late.",
    ),
    "no_group_note": (
        "Udlejningsjournalen registrerer ikke prioritetsgruppen ved udlejning; "
        "fordelingen på kriterier kan ikke opgøres.",
        "The ledger does not record the priority group of a letting; lettings per "
        "criterion cannot be counted.",
    ),
    "no_evictions": (
        "Ingen opgørelse af fogedsager indleveret.",
        "No table of evictions was supplied.",
    ),
    "no_waiting_time": (
        "Ingen underskrevne udlejninger med kendt anciennitet i perioden.",
        "No signed lettings with a known seniority date in the period.",
    ),
    # the criteria audit (R7); the English report words it as ``fuaalborg audit`` does; its
    # counts are :class:`fuaalborg.formatting.Count`, so ``{n:noun|plural}`` words one
    "audit_note": (
        "Auditten bestået: {ok}; overtrædelser: {violations}; ikke kontrolleret: {unchecked}; "
        "advarsler efter firefemtedelsreglen til menneskelig vurdering: {warnings}",
        "ok = {ok}; {violations:violation|violations}; {unchecked} unchecked; "
        "{warnings:four-fifths warning|four-fifths warnings} for human review",
    ),
    "audit.ok.True": ("ja", "True"),
    "audit.ok.False": ("nej", "False"),
    "audit.subject": ("Kriterium eller aftale", "subject"),
    "audit.kind": ("Art", "kind"),
    "audit.variant": ("Variant af stikprøven", "variant"),
    "audit.changed": ("Ansøgere med ændret resultat", "changed"),
    "overview_title": (
        "Overblik over røde og gule afdelinger",
        "Overview of red and yellow departments",
    ),
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    # the rent-band schemes of R2
    "scheme.agreement": ("aftalen", "agreement"),
    "scheme.lbf": ("LBF", "LBF"),
    # axes of the figures
    "axis.count": ("Antal", "Count"),
    "axis.departments": ("Afdelinger", "Departments"),
    # rows and columns
    "total": ("I alt", "Total"),
    "organisation": ("Boligorganisation", "Organisation"),
    "organisation_cvr": ("CVR", "CVR"),
    "department_id": ("Afdeling (id)", "Department (id)"),
    "department": ("Afdeling", "Department"),
    "area_id": ("Boligområde", "Area"),
    "referral": ("Kommunal anvisning", "Municipal referral"),
    "flexible": ("Fleksibel udlejning", "Flexible letting"),
    "internal": ("Intern venteliste", "Internal waiting list"),
    "ordinary": ("Ekstern venteliste (almindelig)", "External waiting list (ordinary)"),
    "unknown": ("Ukendt", "Unknown"),
    "vacancies": ("Ledige boliger", "Vacancies"),
    "late": ("Registreret efter en senere dateret", "Recorded after a later-dated one"),
    "late_title": ("sent registrerede ledige boliger", "vacancies recorded late"),
    "corrections_title": ("rettelser og annulleringer", "corrections and voids"),
    "event": ("Hændelse", "Event"),
    "on_date": ("Dato", "Date"),
    "kind_of_correction": ("Art", "Kind"),
    "void": ("Annulleret", "Void"),
    "correction": ("Rettet", "Corrected"),
    "written_at": ("Skrevet", "Written"),
    "by": ("Af", "By"),
    "reason": ("Begrundelse", "Reason"),
    "changes": ("Ændring", "Change"),
    "vacancy_id": ("Ledig bolig (id)", "Vacancy (id)"),
    "counting": ("Tæller mod anvisning", "Count towards referral"),
    "bab": ("Heraf BAB-boliger", "Of which BAB dwellings"),
    "not_referred": ("Ikke til anvisning", "Not referred"),
    "referred": ("Indmeldt til anvisning", "Reported to the referral"),
    "referral_let": ("Anvist og udlejet", "Referred and let"),
    "referral_accepted": ("Accepteret, ikke udlejet", "Accepted, not yet let"),
    "referral_declined": ("Afvist og returneret", "Declined and returned"),
    "referral_pending": ("Afventer svar", "Awaiting answer"),
    "rent_band": ("Huslejeinterval", "Rent band"),
    "stock": ("Boliger i bestanden", "Dwellings in stock"),
    "expected_need": ("Forventet behov", "Expected need"),
    "cheap_referred": (
        "Billige boliger ({band}) indmeldt til anvisning",
        "Cheap dwellings ({band}) reported to the referral",
    ),
    "need_source": (
        "Kommunens forventede behov: {reference}.",
        "The municipality's expected need: {reference}.",
    ),
    "need_example": (
        "Forventet behov: Aalborg Kommunes tal fra aftalen ({reference}); eksempelkommunen "
        "er bygget efter Aalborg.",
        "Expected need: Aalborg Kommune's figure from the agreement ({reference}); the "
        "example municipality is modelled on Aalborg.",
    ),
    "need_missing": (
        "{name} har ikke angivet boliganvisningens forventede årlige behov (municipality.toml, "
        "[referral_need]), så intet behov vises. Aftalens {low}–{high} billige boliger om året "
        "er Aalborg Kommunes behov ({reference}) og gælder ikke for {name}.",
        "{name} states no yearly need of the referral (municipality.toml, [referral_need]), so "
        "no need is shown. The agreement's {low}–{high} cheap dwellings a year are Aalborg "
        "Kommune's need ({reference}) and do not apply to {name}.",
    ),
    "need_low": ("Forventet behov pr. år, nedre", "Expected need per year, low"),
    "need_high": ("Forventet behov pr. år, øvre", "Expected need per year, high"),
    "need_period_low": ("Forventet behov i perioden, nedre", "Expected need in period, low"),
    "need_period_high": ("Forventet behov i perioden, øvre", "Expected need in period, high"),
    "waiting_list": ("Ventelisteudlejninger", "Waiting-list lettings"),
    "flexible_share": ("Andel fleksibelt udlejet", "Share let flexibly"),
    "group": ("Prioritetsgruppe/kriterium", "Priority group/criterion"),
    "group_n": ("Gruppe {n}", "Group {n}"),
    # the placement's notice on an ethnicity indicator (sections take it from the placement)
    "ethnicity_notice": (ETHNICITY_NOTICE_DA, ETHNICITY_NOTICE),
    "no_group": ("Ingen gruppe opfyldt", "No group met"),
    "evictions": ("Fogedsager", "Evictions"),
    "green": ("Grøn", "Green"),
    "yellow": ("Gul", "Yellow"),
    "red": ("Rød", "Red"),
    "changed": ("Skiftet farve", "Changed colour"),
    "step": ("Trin", "Step"),
    "designation": ("Udpegning", "Designation"),
    "dwellings": ("Boliger", "Dwellings"),
    "reason_en": ("Begrundelse (på engelsk)", "Reason"),
    # the words of R5's and R7's closed sets (word.<value>)
    **{f"word.{word}": (danish.value(word), word) for word in (*_WORDS, *_AUDIT_WORDS)},
    # the indicators whose values R5 shows (value_<indicator>)
    "value.outside_work_education_pct": (
        "Uden for arbejde og uddannelse (%)", "Outside work and education (%)"),
    "value.conviction_ratio": (
        "Dømte (gange landsgennemsnittet)", "Convicted (times the national average)"),
    "value.conviction_pct": ("Dømte (%)", "Convicted (%)"),
    "value.basic_education_pct": ("Kun grundskole (%)", "Basic education only (%)"),
    "value.income_ratio_pct": (
        "Indkomst (% af gennemsnittet)", "Income (% of the average)"),
    "value.non_western_pct": ("Ikkevestlig baggrund (%)", "Non-Western background (%)"),
    "colour": ("Farve", "Colour"),
    "previous_colour": ("Forrige farve", "Previous colour"),
    "basis": ("Grundlag", "Basis"),
    "monitored": ("Monitoreret", "Monitored"),
    "preset": ("Model", "Preset"),
    "ethnicity_indicator": (
        "Bruger aggregeret etnicitetsindikator",
        "Uses an aggregate ethnicity indicator",
    ),
    "route": ("Udlejningsvej", "Route"),
    "lettings": ("Udlejninger", "Lettings"),
    "median_years": ("Median (år)", "Median (years)"),
    "p90_years": ("90-percentil (år)", "90th percentile (years)"),
    "parameter": ("Parameter", "Parameter"),
    "value": ("Værdi", "Value"),
    "from": ("Fra", "From"),
    "until": ("Til", "Until"),
    "reference": ("Hjemmel", "Reference"),
}


def language(value: str) -> Language:
    """``value`` as a report language: English for ``"en"``, otherwise Danish (the default).

    >>> language("en"), language("da")
    ('en', 'da')
    """
    return "en" if value == "en" else "da"


def either(english: str, danish: str, lang: Language = "da") -> str:
    """A text given in both languages (a preset's titles) in ``lang``; the English one
    where the Danish is empty.

    >>> either("socioeconomic: the library's reading", "", "da")
    "socioeconomic: the library's reading"
    """
    if lang not in LANGUAGES:
        raise ValidationError(f"language must be da or en, not {lang!r}")
    return danish if lang == "da" and danish else english


def label(key: str, lang: Language = "da") -> str:
    """The heading for ``key`` in ``lang`` (``da`` or ``en``); unknown keys are returned as is."""
    if lang not in LANGUAGES:
        raise ValidationError(f"language must be da or en, not {lang!r}")
    pair = _LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "da" else pair[1]
