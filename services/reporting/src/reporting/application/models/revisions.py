"""A plan's revisions and what changed between two of them."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from reporting.application.models.base import Timestamp, View
from reporting.application.models.plans import PlanHead

#: A title as the plan gives it: one string, or a language map in the order given.
Title = str | dict[str, str]


class TreeSection(View):
    code: str
    title: Title
    parent: str | None = None
    kind: str | None = None


class _FromTo(View):
    model_config = ConfigDict(frozen=True, serialize_by_alias=True, validate_by_name=True)


class RenamedSection(_FromTo):
    code: str
    before: Title = Field(alias="from")
    after: Title = Field(alias="to")


class ReparentedSection(_FromTo):
    code: str
    before: str | None = Field(alias="from")
    after: str | None = Field(alias="to")


class MovedCommitment(_FromTo):
    commitment: str
    before: str | None = Field(alias="from", description="Its section before.")
    after: str = Field(alias="to", description="Its section after.")


class TreeChanges(View):
    """Sections added, renamed, moved under another parent or retired (a merge is a
    retirement whose commitments moved), and commitments moved between sections."""

    added: list[TreeSection]
    renamed: list[RenamedSection]
    reparented: list[ReparentedSection]
    retired: list[TreeSection]
    moved: list[MovedCommitment]


class RevisionItem(TreeChanges):
    """One revision (0: the plan as created) and what it changed from the one before."""

    revision: int
    as_of: dt.date
    reason: str | None
    recorded_at: Timestamp


class PlanRevisions(TreeChanges):
    """The revisions after ``from`` up to ``to``, and what changed between the two as a
    whole (a section added then retired in between is in neither list; a commitment
    moved twice counts once, from where it was at ``from`` to where it is at ``to``)."""

    model_config = ConfigDict(frozen=True, serialize_by_alias=True, validate_by_name=True)

    plan: PlanHead
    first: int = Field(alias="from")
    last: int = Field(alias="to")
    revisions: list[RevisionItem]
    sections: list[TreeSection] = Field(description="The tree as of revision ``to``.")
