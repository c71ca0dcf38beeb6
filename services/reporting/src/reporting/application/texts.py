"""Titles, section titles and narratives given in several languages.

The read models keep a text's first language in its text column (sorting and search
read it) and the whole language map beside it as ordered translations
(``[{"lang", "text"}]``); section trees and indicator definitions keep the event's own
shape (a string or that list). Views carry the first given as ``title`` and the map as
``titles``; :func:`localised` then answers each in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel

from shared.contracts.common import (
    LocalText,
    Translation,
    best_language,
    first_text,
    text_in,
    translations,
)

V = TypeVar("V")

#: A text field of a view and the field holding its language map.
_PAIRS = (("title", "titles"), ("narrative", "narratives"), ("plan_title", "plan_titles"))
#: Keys of event data (timelines, changes) holding a text given as written.
_DATA_KEYS = ("title", "narrative")


def _is_translations(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(t, Mapping) and "lang" in t and "text" in t for t in value)
    )


def stored(text: Any, local: Any = None) -> LocalText:
    """The text as given, from its text column (or jsonb value, a string or ordered
    translations) and its ``*_local`` column when there is one."""
    for value in (local, text):
        if _is_translations(value):
            return tuple(Translation.model_construct(lang=t["lang"], text=t["text"]) for t in value)
    return "" if text is None else str(text)


def fields(text: Any, local: Any = None, name: str = "title") -> dict[str, Any]:
    """``{name: the first given, name + "s": the language map or None}`` for a view."""
    given = stored(text, local)
    return {name: first_text(given), name + "s": translations(given) or None}


def all_texts(text: Any, local: Any = None) -> list[str]:
    """Every language's text (search finds a word in any of them)."""
    given = stored(text, local)
    return [given] if isinstance(given, str) else [t.text for t in given]


def language_in(given: Mapping[str, str], languages: Sequence[str]) -> str:
    """The language of ``given`` (a language map) a reader of ``languages`` (most
    wanted first) is shown: the first of them given (``fr-FR`` finds ``fr`` and the
    other way round), else the first given (as ``shared.contracts.common.text_in``)."""
    tags = list(given)
    return tags[best_language(tags, languages) or 0]


def pick(given: Mapping[str, str], languages: Sequence[str]) -> str:
    """The text of a language map in the best of ``languages``, else the first given."""
    return given[language_in(given, languages)]


def localised(value: V, languages: Sequence[str]) -> V:
    """``value`` (a view, a list of them) with every text given in several languages
    shown in the best of ``languages`` (``fr-FR`` finds ``fr``), else in the first
    given; event data (timelines, changes) also gets each map as ``titles`` or
    ``narratives``. Parts without such texts are returned as they are."""
    result: V = _walk(value, tuple(languages))
    return result


def _walk(value: Any, languages: tuple[str, ...]) -> Any:
    if isinstance(value, BaseModel):
        return _model(value, languages)
    if isinstance(value, list):
        items = [_walk(v, languages) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, dict):
        return _data(value, languages)
    return value


@cache
def _pairs_of(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """The text fields of a view with their language maps beside them: looking up a
    field a model lacks goes through pydantic's ``__getattr__`` and an exception, which
    took an eighth of the deadlines view of a 10,000-commitment plan."""
    return tuple((text, texts) for text, texts in _PAIRS if texts in model.model_fields)


@cache
def _nested_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a view whose values may hold texts in several languages (views
    with text fields, event data, or containers of them): the others (a deadline, a
    list of parties) are not walked, which halved what the walk cost."""
    return tuple(
        name
        for name, field in model.model_fields.items()
        if _may_hold_texts(field.annotation, frozenset({model}))
    )


def _may_hold_texts(annotation: Any, seen: frozenset[type]) -> bool:
    """Whether a value of ``annotation`` may hold a text :func:`localised` changes;
    when unsure (a type it does not know), yes."""
    origin = get_origin(annotation)
    if origin is Literal:
        return False
    if origin is Annotated:
        return _may_hold_texts(get_args(annotation)[0], seen)
    if origin is not None:
        return origin in (dict, Mapping) or any(
            _may_hold_texts(a, seen) for a in get_args(annotation)
        )
    if not isinstance(annotation, type):
        return True
    if issubclass(annotation, BaseModel):
        if annotation in seen:
            return True
        return bool(_pairs_of(annotation)) or any(
            _may_hold_texts(f.annotation, seen | {annotation})
            for f in annotation.model_fields.values()
        )
    return issubclass(annotation, Mapping) or annotation is object


def _model(value: BaseModel, languages: tuple[str, ...]) -> BaseModel:
    update: dict[str, Any] = {}
    for name in _nested_of(type(value)):
        item = getattr(value, name)
        if isinstance(item, BaseModel | list | dict):
            walked = _walk(item, languages)
            if walked is not item:
                update[name] = walked
    for text, texts in _pairs_of(type(value)):
        given = getattr(value, texts)
        if isinstance(given, dict) and given:
            chosen = pick(given, languages)
            if chosen != getattr(value, text, None):
                update[text] = chosen
    return value.model_copy(update=update) if update else value


def _data(value: dict[Any, Any], languages: tuple[str, ...]) -> dict[Any, Any]:
    changed: dict[Any, Any] = {}
    for key, item in value.items():
        if key in _DATA_KEYS and _is_translations(item):
            given = stored(item)
            changed[key] = text_in(given, languages)
            changed[key + "s"] = translations(given)
        elif isinstance(item, list | dict):
            walked = _walk(item, languages)
            if walked is not item:
                changed[key] = walked
    return {**value, **changed} if changed else value
