"""Titles and narratives in request bodies: a string, or the same text in several
languages as a language map ``{"en": "...", "fr": "..."}`` (keys: language tags such
as ``en``, ``fr``, ``fr-CA``; values: non-empty text within the field's length; at
least one entry). Answers carry ``title`` in the caller's ``Accept-Language`` language
(else the first given) and ``titles``, the whole map, when it was given as one."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Final

from pydantic import PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from shared.contracts.common import LocalText, Translation, text_in, translations

_TAG: Final = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_MAX_TAG: Final = 35


def _error(message: str) -> PydanticCustomError:
    return PydanticCustomError("local_text", message)


def _text(value: object, max_length: int, empty_ok: bool, where: str = "") -> str:
    if not isinstance(value, str):
        raise _error(f"{where}must be a string")
    text = value.strip()
    if not text and not empty_ok:
        raise _error(f"{where}must not be empty")
    if len(text) > max_length:
        raise _error(f"{where}must have at most {max_length} characters")
    return text


def _language_map(value: dict[Any, Any], max_length: int) -> dict[str, str]:
    if not value:
        raise _error('a language map needs at least one language, e.g. {"en": "..."}')
    checked: dict[str, str] = {}
    for lang, text in value.items():
        if not isinstance(lang, str) or len(lang) > _MAX_TAG or not _TAG.match(lang):
            raise _error(f"{lang!r} is not a language tag (such as en, fr, fr-CA)")
        if lang.casefold() in {k.casefold() for k in checked}:
            raise _error(f"the language {lang!r} is given twice")
        checked[lang] = _text(text, max_length, False, f"{lang}: ")
    return checked


def _checker(max_length: int, empty_ok: bool) -> Callable[[object], str | dict[str, str]]:
    def check(value: object) -> str | dict[str, str]:
        if isinstance(value, dict):
            return _language_map(value, max_length)
        if isinstance(value, str):
            return _text(value, max_length, empty_ok)
        raise _error('must be a string or a language map such as {"en": "...", "fr": "..."}')

    return check


def _schema(max_length: int, empty_ok: bool) -> dict[str, Any]:
    return {
        "anyOf": [
            {"type": "string", "minLength": 0 if empty_ok else 1, "maxLength": max_length},
            {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": _TAG.pattern, "maxLength": _MAX_TAG},
                "additionalProperties": {"type": "string", "minLength": 1, "maxLength": max_length},
            },
        ],
        "description": 'A string, or a language map such as {"en": "...", "fr": "..."}.',
    }


#: A title (plan, section, commitment, indicator, milestone, amendment).
LocalTextIn = Annotated[
    str | dict[str, str],
    PlainValidator(_checker(2000, False)),
    WithJsonSchema(_schema(2000, False)),
]
#: A progress report's narrative (a plain string may be empty).
Narrative = Annotated[
    str | dict[str, str],
    PlainValidator(_checker(20000, True)),
    WithJsonSchema(_schema(20000, True)),
]


def local(value: str | dict[str, str]) -> LocalText:
    """A checked body value as the domain's text: a language map becomes the ordered
    translations it stands for."""
    if isinstance(value, str):
        return value
    return tuple(Translation(lang=lang, text=text) for lang, text in value.items())


def local_or_none(value: str | dict[str, str] | None) -> LocalText | None:
    return None if value is None else local(value)


def shown(text: LocalText, languages: Sequence[str]) -> dict[str, Any]:
    """``title`` in the best of ``languages`` (else the first given) and ``titles``,
    the whole map, when the text was given in several languages."""
    return {"title": text_in(text, languages), "titles": translations(text) or None}
