"""Value shapes that appear inside several events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field


class PeriodData(BaseModel):
    """A period as written (``label``) and the dates it stands for, both inclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    start: date
    end: date


class RecurrenceData(BaseModel):
    """A deadline due once per period (``every``), from ``from`` until ``until``."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_by_name=True, serialize_by_alias=True
    )

    every: Literal["year", "half-year", "quarter", "month"]
    start: date | None = Field(default=None, alias="from")
    until: date | None = None


class DeadlineData(BaseModel):
    """A deadline as written (``label``) and as read: its first and last day (``None``
    while it waits for a key date the plan has not dated: ``pending`` names it), and
    its ``recurrence`` when it is due once per period. Earlier releases stored a plain
    period (label, start, end), which reads as one with both days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    start: date | None = None
    end: date | None = None
    recurrence: RecurrenceData | None = None
    pending: str | None = None


_LANGUAGE_TAG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


class Translation(BaseModel):
    """One language's text of a title or narrative given in several languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lang: Annotated[str, Field(pattern=_LANGUAGE_TAG, max_length=35)]
    text: Annotated[str, Field(min_length=1)]


def _from_language_map(value: object) -> object:
    """``{"en": "...", "fr": "..."}`` as the ordered translations it stands for.

    Events keep a language map as a list of ``{"lang", "text"}``: PostgreSQL's
    ``jsonb`` does not keep an object's key order, and "the first given" is the
    fallback when no requested language is there."""
    if isinstance(value, Mapping):
        return tuple({"lang": lang, "text": text} for lang, text in value.items())
    return value


def _one_per_language(value: object) -> object:
    if isinstance(value, tuple):
        if not value:
            raise ValueError("a language map needs at least one language")
        langs = [t.lang.casefold() for t in value]
        if len(set(langs)) != len(langs):
            raise ValueError("a language map names a language twice")
    return value


#: A title, narrative or section title: a plain string, or the same text in several
#: languages (given as ``{"en": ..., "fr": ...}``, kept as ordered translations).
LocalText = Annotated[
    str | tuple[Translation, ...],
    BeforeValidator(_from_language_map),
    AfterValidator(_one_per_language),
]


def translations(text: str | tuple[Translation, ...]) -> dict[str, str]:
    """The language map of ``text`` in the order given; a plain string has none."""
    return {} if isinstance(text, str) else {t.lang: t.text for t in text}


def first_text(text: str | tuple[Translation, ...]) -> str:
    """The plain string, or the first language given."""
    return text if isinstance(text, str) else text[0].text


def best_language(tags: Sequence[str], languages: Sequence[str]) -> int | None:
    """Where among ``tags`` (the languages a text is given in) the first of
    ``languages`` (most wanted first) is: the same tag, else the same language
    (``fr-CA`` matches ``fr`` and the other way round); ``None`` when none is."""
    folded = [t.casefold() for t in tags]
    for wanted in languages:
        wanted = wanted.casefold()
        if wanted in folded:
            return folded.index(wanted)
        primary = [t.split("-")[0] for t in folded]
        if wanted.split("-")[0] in primary:
            return primary.index(wanted.split("-")[0])
    return None


def text_in(text: str | tuple[Translation, ...], languages: Sequence[str]) -> str:
    """``text`` in the first of ``languages`` it is given in, else in the first
    language given (:func:`best_language`)."""
    if isinstance(text, str):
        return text
    return text[best_language([t.lang for t in text], languages) or 0].text


def is_blank(text: str | tuple[Translation, ...]) -> bool:
    """True when no language of ``text`` has anything but spaces."""
    if isinstance(text, str):
        return not text.strip()
    return all(not t.text.strip() for t in text)
