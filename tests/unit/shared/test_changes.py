"""One declaration per change serves REST and CloudEvents: the command a CloudEvent
stands for, and the 422 that names what refuses it."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from shared.cloudevents import StructuredEvent
from shared.http.changes import Change, by_event_type, command_of
from shared.http.problems import Problem


class NoteIn(BaseModel):
    text: str


@dataclass(frozen=True)
class Note:
    text: str


NOTE = Change(NoteIn, lambda b: Note(b.text), "org.example.note_added")
REST_ONLY = Change(NoteIn, lambda b: Note(b.text.upper()))
ACCEPTED = by_event_type([NOTE, REST_ONLY])


def event(
    type_: str = "org.example.note_added", subject: str | None = "s1", data: object = None
) -> StructuredEvent:
    return StructuredEvent(
        id="e1", source="/p", type=type_, subject=subject, time=None, data=data or {"text": "hi"}
    )


def test_rest_and_cloudevents_build_the_same_command() -> None:
    assert ACCEPTED == {"org.example.note_added": NOTE}
    assert command_of(ACCEPTED, event(), "the id") == NOTE.command(NoteIn(text="hi")) == Note("hi")


def test_what_refuses_an_event_is_named() -> None:
    unknown = command_of(ACCEPTED, event("org.example.other"), "the id")
    assert isinstance(unknown, Problem) and unknown.type == "unsupported-event-type"
    assert "org.example.note_added" in unknown.detail
    nameless = command_of(ACCEPTED, event(subject=None), "the note's id")
    assert (
        isinstance(nameless, Problem) and nameless.detail == "subject (the note's id) is required"
    )
    bad = command_of(ACCEPTED, event(data={"text": 3}), "the id")
    assert isinstance(bad, Problem) and bad.status == 422
    assert bad.errors == [{"pointer": "/data/text", "detail": "Input should be a valid string"}]
