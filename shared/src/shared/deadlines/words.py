"""The words deadlines are written with, in English and French, and the calendar
arithmetic they need. Every pattern here matches :func:`shared.periods.fold`-ed text:
lower case, no accents, straight apostrophes, single spaces."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Final, Literal

from shared.periods import fold

Every = Literal["year", "half-year", "quarter", "month"]
MONTHS_IN: Final[dict[Every, int]] = {"year": 12, "half-year": 6, "quarter": 3, "month": 1}

# Words that only say "this is a deadline" ("by end 2016" is "end 2016"), then articles.
LEADING: Final = re.compile(
    r"^(?:(?:by|before|until|till|no later than|not later than|at the latest by|at the latest|"
    r"due by|due|in|during|d'ici a|d'ici|avant|au plus tard|jusqu'a|jusqu'au|jusqu'en|en|"
    r"au cours de|au cours du|courant|pendant|dans le courant de|pour|lors de|lors du|"
    r"au moment de|au moment du|at the time of|at|au|a(?! (?:partir|compter|year|week|month|"
    r"day|half|couple)))\s+)+"
    r"(?:(?:the|le|la|les)\s+|l')?"
)
TRAILING: Final = re.compile(r"\s*[,(]?\s*(?:at the latest|au plus tard)\)?$")
# What says "there is none": a commitment may have no deadline.
NONE_WORDS: Final = frozenset(
    {"none", "no deadline", "n/a", "na", "-", "—", "aucune", "aucun", "sans", "sans echeance",
     "pas d'echeance", "aucune echeance", "sans objet", "non applicable", "not applicable",
     # Not set yet: the plan names no date (a later amendment may).
     "tbd", "tbc", "to be determined", "to be confirmed", "to be defined", "not yet set",
     "a definir", "a determiner", "a preciser", "a confirmer", "non defini", "non definie",
     "non determine", "non determinee", "nd"}
)  # fmt: skip

SEASONS: Final[dict[str, int]] = {
    "spring": 3, "printemps": 3, "summer": 6, "ete": 6,
    "autumn": 9, "fall": 9, "automne": 9, "winter": 12, "hiver": 12,
}  # fmt: skip

_UNITS: Final[dict[str, int]] = {
    "a": 1, "an": 1, "one": 1, "un": 1, "une": 1, "two": 2, "deux": 2, "three": 3, "trois": 3,
    "four": 4, "quatre": 4, "five": 5, "cinq": 5, "six": 6, "seven": 7, "sept": 7,
    "eight": 8, "huit": 8, "nine": 9, "neuf": 9, "ten": 10, "dix": 10, "eleven": 11,
    "onze": 11, "twelve": 12, "douze": 12, "thirteen": 13, "treize": 13, "fourteen": 14,
    "quatorze": 14, "fifteen": 15, "quinze": 15, "sixteen": 16, "seize": 16,
    "seventeen": 17, "dix-sept": 17, "eighteen": 18, "dix-huit": 18, "nineteen": 19,
    "dix-neuf": 19,
}  # fmt: skip
_TENS: Final[dict[str, int]] = {
    "twenty": 20, "vingt": 20, "thirty": 30, "trente": 30, "forty": 40, "quarante": 40,
    "fifty": 50, "cinquante": 50, "sixty": 60, "soixante": 60,
}  # fmt: skip
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
# A count of days, weeks, months or years: "18", "two", "vingt-quatre", "twenty four".
NUMBER: Final = rf"(?:\d{{1,3}}|(?:{_NUMBER_WORD})(?:(?:[\s-]|\set\s)(?:{_NUMBER_WORD}))?)"
UNIT: Final = (
    r"(?P<unit>days?|jours?|weeks?|semaines?|months?|mois|years?|ans?|annees?)"
    r"(?P<half> and a half| et demie?)?"
)

_FREQUENCIES: Final[dict[Every, tuple[str, ...]]] = {
    "year": (
        r"(?:each|every|per|once a|once per) year", r"annual(?:ly)?", r"yearly",
        r"every (?:12|twelve) months", r"chaque annee", r"tous les ans", r"annuel(?:le)?(?:ment)?",
        r"une fois par an", r"(?:par|chaque) an",
    ),
    "half-year": (
        r"(?:each|every) (?:half[ -]year|six months|6 months)", r"semi-?annual(?:ly)?",
        r"half-?yearly", r"twice (?:a|per) year", r"twice yearly", r"chaque semestre",
        r"tous les (?:semestres|six mois|6 mois)", r"semestriel(?:le)?(?:ment)?",
        r"deux fois par an",
    ),
    "quarter": (
        r"(?:each|every|per) quarter", r"quarterly", r"every (?:three|3) months",
        r"chaque trimestre", r"tous les (?:trimestres|trois mois|3 mois)",
        r"trimestriel(?:le)?(?:ment)?", r"par trimestre",
    ),
    "month": (
        r"(?:each|every|per) month", r"monthly", r"chaque mois", r"tous les mois",
        r"mensuel(?:le)?(?:ment)?", r"par mois",
    ),
}  # fmt: skip
FREQUENCY: Final = re.compile(
    r"(?:^|(?<=[\s,(]))(?:"
    + "|".join(
        f"(?P<{every.replace('-', '_')}>{'|'.join(words)})" for every, words in _FREQUENCIES.items()
    )
    + r")(?=$|[\s,)])"
)
# What starts a recurrence this platform does not read ("every two years").
RECURRING_WORDS: Final = re.compile(r"\b(?:every|each|tous les|toutes les|chaque)\b")
# "Biannual" is used for both twice a year and every two years.
BIANNUAL: Final = re.compile(r"\bbi-?annual(?:ly)?\b|\bbiannuel(?:le)?(?:ment)?\b")
FISCAL_EACH: Final = re.compile(
    r"(?:^|(?<=\s))(?:(?:each|every|per) (?:fiscal|financial) year|chaque exercice"
    r"(?: budgetaire| financier)?|a chaque exercice)(?=$|[\s,])"
)

ONGOING: Final = re.compile(
    r"(?:^|(?<=[\s,(]))(?:(?:and |et |, |then |puis |and then |et puis )?"
    r"(?:ongoing|on an ongoing basis|continuous(?:ly)?|"
    r"continuing|permanent(?:e|ly)?|(?:en )?continue?|(?:en )?permanence|(?:en )?cours|"
    r"de (?:maniere|facon) continue|throughout the plan|for the duration of the plan|"
    r"(?:pendant|sur) (?:toute )?la duree du plan|tout au long du plan))(?=$|[\s,)])"
)
# What opens a start ("dès mars 2019", "from March 2019"), and what may close it.
FROM: Final = re.compile(
    r"^(?:from|starting(?: in| from| on)?|beginning(?: in| on)?|as of|as from|since|"
    r"des|a partir de|a partir du|a compter de|a compter du|depuis|commencant en)\s+"
    r"(?:(?:the|le|la)\s+|l')?"
)
ONWARDS: Final = re.compile(r"\s+(?:on(?:wards?)?|and (?:after|beyond)|et au-dela)$")
UNTIL: Final = re.compile(
    r"^(?:until|till|to|through|up to|jusqu'a|jusqu'au|jusqu'en|jusqu'a la|a|au)\s+"
    r"(?:(?:the|le|la)\s+|l')?"
)


def number(text: str) -> int | None:
    """A count written in digits or in English or French words ("18", "a", "deux",
    "dix-huit", "twenty four", "vingt et un"), or ``None``."""
    if text.isdigit():
        return int(text)
    parts = [p for p in re.split(r"[\s-]+", text) if p != "et"]
    if text in _UNITS or "-".join(parts) in _UNITS:  # "dix huit" is "dix-huit"
        return _UNITS.get(text) or _UNITS["-".join(parts)]
    if parts and parts[0] in _TENS and len(parts) <= 2 and all(p in _UNITS for p in parts[1:]):
        return _TENS[parts[0]] + sum(_UNITS[p] for p in parts[1:])
    return None


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (or earlier), clamped to the month's
    last day when that day does not exist there (31 August + 6 months = 28/29 February)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = month_end(year, month + 1)
    return last.replace(day=min(day.day, last.day))


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def key_name(text: str) -> str:
    """How a key date's name is compared: folded, without a leading article, a trailing
    "of the plan" or spacing (``"la COP 26"`` and ``"COP26"`` are one name)."""
    text = fold(text)
    text = re.sub(r"^(?:(?:the|le|la|les|du|des|de la|de) |de l'|d'|l')+", "", text)
    text = re.sub(r"\s+(?:of (?:the|this) plan|du (?:present )?plan|de ce plan)$", "", text)
    return re.sub(r"[\s\-'.]", "", text)
