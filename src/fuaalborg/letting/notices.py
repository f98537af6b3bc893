"""A ranking's notices (bemærkninger): what it could not check, or noticed, in words.

A :class:`Notice` is a code and its parameters — counts, the law's words,
the municipality's name — never an applicant's id, name, CPR number or any
other value of a waiting-list row. The same notice is written in English or
Danish by :meth:`Notice.text`, the sentence
:attr:`~fuaalborg.letting.ranking.Ranking.notices` gives and
``fuaalborg rank`` prints; :meth:`Notice.about_applicant` says what it means
for one applicant it concerns (see
:meth:`~fuaalborg.letting.ranking.Ranking.notices_about`). A decision record
keeps the notices as data (:attr:`fuaalborg.records.RankingRecord.notices`),
so an old record is read in today's words, in either language.

The codes (:data:`NOTICE_CODES`), each with the parameters it takes:

``s51c_not_checked`` (``provision``, ``area``)
    Almenboligloven § 51 c applies in the department's area, but the waiting
    list has no benefit columns: the refusal is not applied; the municipality
    checks before the letting (stk. 3).
``s51c_rows_unchecked`` (``provision``, ``rows``)
    Rows without benefit information could not be checked under § 51 c and
    are not refused.
``department_elsewhere`` (``rows``, ``municipality``)
    Rows whose current department is not in the municipality's departments
    table: read as living in a department elsewhere (another municipality, or
    one without family dwellings), so never as living in the vacancy's
    department.

>>> notice = Notice("s51c_rows_unchecked", rows=2, provision="almenboligloven § 51 c")
>>> print(notice.text("en"))  # doctest: +NORMALIZE_WHITESPACE
almenboligloven § 51 c: 2 rows without benefit information could not be checked
and are not refused
>>> print(notice.text())  # doctest: +NORMALIZE_WHITESPACE
almenboligloven § 51 c: 2 rækker uden oplysning om ydelser kunne ikke kontrolleres
og afvises ikke
>>> one = Notice("s51c_rows_unchecked", rows=1, provision="almenboligloven § 51 c")
>>> print(one.text("en"))  # doctest: +NORMALIZE_WHITESPACE
almenboligloven § 51 c: 1 row without benefit information could not be checked
and is not refused
>>> print(notice.about_applicant("en"))  # doctest: +NORMALIZE_WHITESPACE
The waiting list gives no benefit information for the applicant: almenboligloven § 51 c
could not be checked for them, and they are not refused.
"""

from __future__ import annotations

from typing import Literal, get_args

import attrs

from fuaalborg._types import Language
from fuaalborg.errors import ValidationError
from fuaalborg.formatting import counted

__all__ = ["NOTICES_FROM_MUNICIPALITY", "NOTICE_CODES", "Notice", "NoticeCode"]

#: What a notice says: one of :data:`NOTICE_CODES`.
NoticeCode = Literal["s51c_not_checked", "s51c_rows_unchecked", "department_elsewhere"]
#: The notices a ranking can give (it gives a department elsewhere first, then § 51 c's).
NOTICE_CODES: tuple[NoticeCode, ...] = get_args(NoticeCode)

#: Notices that compare the waiting list with the municipality's tables. A decision
#: record does not hold those tables (the departments table of the day), and the
#: order does not depend on them, so :func:`fuaalborg.replay` keeps these notices
#: as recorded and does not make them again.
NOTICES_FROM_MUNICIPALITY: frozenset[NoticeCode] = frozenset({"department_elsewhere"})

#: The parameters each code takes (every one required, no other given).
_PARAMETERS: dict[str, tuple[str, ...]] = {
    "s51c_not_checked": ("provision", "area"),
    "s51c_rows_unchecked": ("provision", "rows"),
    "department_elsewhere": ("rows", "municipality"),
}

#: The sentences: (code, whether about one applicant) -> language -> template.
_T: dict[tuple[str, bool], dict[str, str]] = {
    ("s51c_not_checked", False): {
        "en": "{provision} applies in this {area}, but the waiting list has no benefit_received "
        "and partner_benefit_received: the refusal is not applied here; the municipality "
        "checks before the letting (stk. 3)",
        "da": "{provision} gælder i dette {area}, men ventelisten har hverken modtaget_ydelse "
        "eller partner_modtaget_ydelse: afvisningen anvendes ikke her; kommunen kontrollerer "
        "før udlejningen (stk. 3)",
    },
    ("s51c_not_checked", True): {
        "en": "{provision} applies in this {area}, but the waiting list has no benefit "
        "information: whether the organisation must refuse the applicant was not checked here; "
        "the municipality checks before the letting (stk. 3).",
        "da": "{provision} gælder i dette {area}, men ventelisten har ingen oplysning om "
        "ydelser: om boligorganisationen skal afvise ansøgeren, er ikke kontrolleret her; "
        "kommunen kontrollerer før udlejningen (stk. 3).",
    },
    ("s51c_rows_unchecked", False): {
        "en": "{provision}: {rows} without benefit information could not be checked "
        "and {are} not refused",
        "da": "{provision}: {rows} uden oplysning om ydelser kunne ikke kontrolleres "
        "og afvises ikke",
    },
    ("s51c_rows_unchecked", True): {
        "en": "The waiting list gives no benefit information for the applicant: {provision} "
        "could not be checked for them, and they are not refused.",
        "da": "Ventelisten har ingen oplysning om ydelser for ansøgeren: {provision} kunne ikke "
        "kontrolleres for vedkommende, og vedkommende afvises ikke.",
    },
    ("department_elsewhere", False): {
        "en": "{rows} {give} a current department that is not in the departments table of "
        "{municipality}: read as living in a department elsewhere (another municipality, or "
        "one without family dwellings), so never as living in the vacancy's department",
        "da": "{rows} angiver en nuværende afdeling, der ikke står i "
        "afdelingstabellen for {municipality}: læst som bosat i en afdeling et andet sted (en "
        "anden kommune eller en afdeling uden familieboliger), altså aldrig som bosat i den "
        "ledige boligs afdeling",
    },
    ("department_elsewhere", True): {
        "en": "The applicant's current department is not in the departments table of "
        "{municipality}: it is read as a department elsewhere (another municipality, or one "
        "without family dwellings), so never as the vacancy's department.",
        "da": "Ansøgerens nuværende afdeling står ikke i afdelingstabellen for {municipality}: "
        "den læses som en afdeling et andet sted (en anden kommune eller en afdeling uden "
        "familieboliger), altså aldrig som den ledige boligs afdeling.",
    },
}
#: A waiting-list row, one and many; a count of rows reads by :func:`fuaalborg.formatting.counted`.
_ROWS = {"en": ("row", "rows"), "da": ("række", "rækker")}


@attrs.frozen
class Notice:
    """One notice of a ranking (bemærkning): a code of :data:`NOTICE_CODES` and its parameters.

    ``rows`` is a count of waiting-list rows; ``provision`` and ``area`` are the
    law's words as the parameter in force gives them (``letting.s51c``);
    ``municipality`` is the name of the municipality whose tables were read.
    A code takes exactly the parameters the module lists for it.
    """

    code: NoticeCode
    rows: int | None = None
    provision: str | None = None
    area: str | None = None
    municipality: str | None = None

    def __attrs_post_init__(self) -> None:
        wanted = _PARAMETERS.get(self.code)
        if wanted is None:
            raise ValidationError(
                f"notice: unknown code {self.code!r}; expected one of {', '.join(NOTICE_CODES)}"
            )
        problems = [f"needs {name}" for name in wanted if getattr(self, name) is None]
        problems += [
            f"takes no {name}"
            for name in attrs.fields_dict(Notice)  # the code, then every parameter
            if name not in (*wanted, "code") and getattr(self, name) is not None
        ]
        if self.rows is not None and (
            isinstance(self.rows, bool) or not isinstance(self.rows, int) or self.rows < 1
        ):
            problems.append(f"rows must be a whole number >= 1, got {self.rows!r}")
        if problems:
            raise ValidationError(f"notice {self.code}: {'; '.join(problems)}")

    def text(self, lang: Language = "da") -> str:
        """The notice in words, in Danish or English."""
        return self._words(False, lang)

    def about_applicant(self, lang: Language = "da") -> str:
        """What the notice means for one applicant it concerns, in Danish or English."""
        return self._words(True, lang)

    def _words(self, about: bool, lang: Language) -> str:
        if lang not in ("da", "en"):
            raise ValidationError(f"lang must be 'da' or 'en', got {lang!r}")
        rows = self.rows or 0
        # a Danish verb is the same for one row and many; an English one is not
        return _T[self.code, about][lang].format(
            rows=counted(rows, *_ROWS[lang]),
            give="gives" if rows == 1 else "give",
            are="is" if rows == 1 else "are",
            provision=self.provision,
            area=self.area,
            municipality=self.municipality,
        )
