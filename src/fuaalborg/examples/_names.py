"""Word pools for the example municipality's invented names.

Department and area names are put together from Danish-sounding first and
second parts (``Hyldemosen``, ``Stærholm Park``); they name no real department.
Applicants' names combine common first names and surnames at random; they name
no real person, and they are drawn independently of every other column.
"""

from __future__ import annotations

__all__ = [
    "APPLICANT_FIRST_NAMES",
    "APPLICANT_SURNAMES",
    "AREA_NAMES",
    "DEPARTMENT_NAME_FIRST",
    "DEPARTMENT_NAME_SECOND",
    "LOCAL_GROUP_NAMES",
]

#: First parts of department names (plants, birds, landscape words).
DEPARTMENT_NAME_FIRST: tuple[str, ...] = (
    "Hylde", "Kløver", "Birke", "Ege", "Mose", "Sol", "Rønne", "Hassel", "Ask",
    "Pile", "Hede", "Lyng", "Bøge", "Vibe", "Stær", "Tjørne", "Valmue", "Lærke",
    "Hvede", "Rug", "Havre", "Slåen", "Mjødurt", "Kastanje", "Akeleje", "Humle",
    "Rævebjerg", "Ravns", "Tranebo", "Hjortø", "Odderkær", "Grævlinge", "Ugle",
    "Spurve", "Svale", "Krage", "Mejse", "Droslen", "Kvan", "Siv", "Tagrør",
    "Engkarse", "Gøge", "Rylle", "Hejre", "Kildevæld", "Marehalm", "Sandskær",
)

#: Second parts of department names.
DEPARTMENT_NAME_SECOND: tuple[str, ...] = (
    "vænget", "haven", "højen", "lunden", "toften", "bakken", "engen", "stien",
    "vangen", "husene", "gården", "dalen", "kilen", "hegnet", "holmen", "krogen",
    "agre", "tofte", "parken", "bo", "lund", "hus", "sted", "hegn",
)

#: Names of the example's ministry-defined areas, in the order of the story.
AREA_NAMES: tuple[str, ...] = (
    "Ravnsbjerg Vænge",
    "Lyngtoften",
    "Hyldemosen",
    "Stærholm Park",
    "Pilekrogen",
)

#: Names of the example's locally agreed groups of departments.
LOCAL_GROUP_NAMES: tuple[str, ...] = ("Tranebo-gruppen", "Odderkær-gruppen")

#: First names for applicants (mixed origins on purpose: names are drawn
#: independently of citizenship and country of birth).
APPLICANT_FIRST_NAMES: tuple[str, ...] = (
    "Anne", "Mette", "Kirsten", "Hanne", "Helle", "Susanne", "Lene", "Maria", "Camilla",
    "Louise", "Julie", "Emma", "Ida", "Freja", "Sofie", "Laura", "Amalie", "Clara",
    "Peter", "Jens", "Lars", "Michael", "Henrik", "Thomas", "Søren", "Jan", "Niels",
    "Rasmus", "Mads", "Mikkel", "Frederik", "Oliver", "William", "Noah", "Lucas",
    "Ahmed", "Fatima", "Mohammed", "Aisha", "Ali", "Leyla", "Omar", "Zainab", "Yusuf",
    "Agnieszka", "Piotr", "Katarzyna", "Tomasz", "Olena", "Dmytro", "Ana", "Andrei",
    "Elena", "Jonas", "Ingrid", "Karin", "Erik", "Priya", "Arjun", "Mei", "Chen",
    "Grace", "Samuel", "Amina", "Ibrahim", "Nour", "Hassan", "Sara", "David", "Eva",
)

#: Surnames for applicants.
APPLICANT_SURNAMES: tuple[str, ...] = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
    "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen",
    "Mikkelsen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Holm", "Schmidt",
    "Kowalski", "Nowak", "Wiśniewski", "Kovalenko", "Shevchenko", "Popescu", "Ionescu",
    "Hussein", "Ahmadi", "Mohamed", "Yilmaz", "Kaya", "Demir", "Haddad", "Khan",
    "Nguyen", "Tran", "Wang", "Li", "Singh", "Patel", "Okafor", "Mensah", "Silva",
    "García", "Rossi", "Müller", "Schneider", "Lindqvist", "Berg", "Dahl", "Bak",
)
