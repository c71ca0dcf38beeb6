"""A plan's spreadsheet, row by row: the columns it has, what each cell of a row
means (parties, priority, a title in two languages), and the sections the rows name,
worked out against the plan's tree before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Final, Literal, get_args

from commitments.domain.commands import MakeCommitment
from commitments.domain.plan import Plan, Section
from shared.contracts.commitments import PartyData, PartyRole
from shared.contracts.common import LocalText, Translation, best_language, text_in
from shared.decider import new_id

#: The columns of an import, in the template's order.
COLUMNS: Final = (
    "section",
    "section_title",
    "parent",
    "code",
    "title",
    "title_fr",
    "parties",
    "deadline",
    "priority",
)
#: Without these a sheet cannot say what a row is.
REQUIRED: Final = ("section", "code", "title")

#: Roles as written in either language.
ROLES: Final[dict[str, PartyRole]] = {
    **{role: role for role in get_args(PartyRole)},
    "responsable": "responsible",
    "contributeur": "contributor",
    "contributrice": "contributor",
    "financeur": "funder",
    "bailleur": "funder",
    "suivi": "monitor",
}
YES: Final = frozenset({"true", "yes", "oui", "1", "vrai", "y", "o", "x"})
NO: Final = frozenset({"", "false", "no", "non", "0", "faux", "n"})

Status = Literal["accepted", "unchanged", "rejected"]
#: Codes as the API takes them: no slash, no space at either end, 64 characters at most.
CODE: Final = re.compile(r"^[^\s/]([^/]*[^\s/])?$")
TITLE_LENGTH: Final = 2000
#: As the API's bodies limit a party's name.
NAME_LENGTH: Final = 200


class RowProblem(ValueError):
    """What is wrong with one row; the other rows go on."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row as written (cells as text, stripped), ``number`` as the spreadsheet
    counts it: the header is row 1."""

    number: int
    section: str = ""
    section_title: str = ""
    parent: str = ""
    code: str = ""
    title: str = ""
    title_fr: str = ""
    parties: str = ""
    deadline: str = ""
    priority: str = ""


@dataclass(frozen=True, slots=True)
class RowResult:
    row: int
    code: str | None
    status: Status
    problem: str | None = None
    section: str | None = None
    #: The commitment the row made or compared with.
    id: str | None = None


def code_problem(value: str, column: str) -> str | None:
    """Why ``value`` cannot be a code, if it cannot."""
    if value and (len(value) > 64 or not CODE.match(value)):
        return f"{column}: {value!r} is not a code (64 characters at most, no slash)"
    return None


def parties(text: str) -> tuple[PartyData, ...]:
    """``name:role; name:role`` (roles in English or French, any case)."""
    found: list[PartyData] = []
    text = text.replace("\n", ";")
    if ";" not in text and text.count(":") > 1:  # "EU:responsible, AU:contributor"
        text = text.replace(",", ";")
    for item in text.split(";"):
        if not item.strip():
            continue
        name, colon, role = item.rpartition(":")
        if not colon or not name.strip():
            raise RowProblem(f"parties: {item.strip()!r} needs its role, as name:role")
        known = ROLES.get(role.strip().casefold())
        if known is None:
            roles = ", ".join(get_args(PartyRole))
            raise RowProblem(f"parties: unknown role {role.strip()!r} (one of {roles})")
        if len(name.strip()) > NAME_LENGTH:
            raise RowProblem(f"parties: a party's name is {NAME_LENGTH} characters at most")
        found.append(PartyData(name=" ".join(name.split()), role=known))
    return tuple(found)


def priority(text: str) -> bool:
    value = text.strip().casefold()
    if value in YES:
        return True
    if value in NO:
        return False
    raise RowProblem(f"priority: {text!r} is not true/false, yes/no, oui/non or 1/0")


def title(row: SheetRow, language: str) -> LocalText:
    """The row's title; with ``title_fr``, a language map in the plan's language
    (English on a French plan) and French."""
    if not row.title_fr:
        return row.title
    if not row.title:
        return (Translation(lang="fr", text=row.title_fr),)
    first = "en" if language.casefold().split("-")[0] == "fr" else language
    return (Translation(lang=first, text=row.title), Translation(lang="fr", text=row.title_fr))


def commitment(row: SheetRow, plan: Plan) -> MakeCommitment:
    """The commitment a row writes (under a new id), or the row's problem."""
    problem = code_problem(row.code, "code")
    if problem is not None:
        raise RowProblem(problem)
    if not row.title and not row.title_fr:
        raise RowProblem("title: a commitment needs its title")
    if max(len(row.title), len(row.title_fr)) > TITLE_LENGTH:
        raise RowProblem(f"title: {TITLE_LENGTH} characters at most")
    return MakeCommitment(
        commitment_id=new_id(),
        code=row.code,
        section=row.section,
        title=title(row, plan.language),
        parties=parties(row.parties),
        deadline=row.deadline or None,
        priority=priority(row.priority),
        made_on=None,
        indicators=(),
    )


def same_text(a: LocalText, b: LocalText) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return [(t.lang, t.text) for t in a] == [(t.lang, t.text) for t in b]


def _slot(texts: list[Translation], lang: str) -> int | None:
    """Where ``lang`` is among ``texts``, as ``text_in`` matches it."""
    return best_language([t.lang for t in texts], [lang])


def merged(current: LocalText, given: LocalText, language: str) -> LocalText:
    """``current`` with the languages ``given`` writes replaced (a plain string being
    in ``language``, the plan's, else the first language), the others kept: a sheet
    with English and French does not drop a title's Spanish."""
    if isinstance(current, str):
        return given
    texts = list(current)
    if isinstance(given, str):
        at = _slot(texts, language) or 0
        texts[at] = Translation(lang=texts[at].lang, text=given)
        return tuple(texts)
    for t in given:
        found = _slot(texts, t.lang)
        if found is None:
            texts.append(t)
        else:
            texts[found] = Translation(lang=texts[found].lang, text=t.text)
    return tuple(texts)


@dataclass
class SectionPlan:
    """The tree the rows ask for, and what each row's sections came to."""

    tree: list[Section]
    changed: bool = False
    #: Section code → why it cannot be made or renamed.
    failed: dict[str, str] = field(default_factory=dict)
    #: Row number → a problem with its section columns.
    problems: dict[int, str] = field(default_factory=dict)
    #: Rows that created or renamed a section.
    changing: set[int] = field(default_factory=set)
    #: Sections this import creates or renames.
    touched: set[str] = field(default_factory=set)


@dataclass
class _NewSection:
    rows: list[int]
    title: str
    parent: str


def _renamed(plan: Plan, section: Section, text: str) -> Section:
    return replace(section, title=merged(section.title, text, plan.language))


def sections(plan: Plan, rows: list[SheetRow]) -> SectionPlan:
    """The plan's tree with the sections the rows define added and the titles they
    change renamed; parents may come after their children in the sheet."""
    tree = {s.code: Section(s.code, s.title, s.parent, s.kind) for s in plan.sections}
    out = SectionPlan(tree=list(tree.values()))
    # A row that defines a section only may give its title as the title.
    rows = [r if r.code else replace(r, section_title=r.section_title or r.title) for r in rows]
    new: dict[str, _NewSection] = {}
    renames: dict[str, tuple[int, str]] = {}
    for row in rows:
        code = row.section
        if not code:
            continue
        bad = code_problem(code, "section") or code_problem(row.parent, "parent")
        if len(row.section_title) > TITLE_LENGTH:
            bad = f"section_title: {TITLE_LENGTH} characters at most"
        if bad is not None:
            out.problems[row.number] = bad
            continue
        known = tree.get(code)
        if known is None:
            _collect(new, row, out)
            continue
        if row.parent and row.parent != (known.parent or ""):
            out.problems[row.number] = (
                f"section {code!r} sits under {known.parent or 'no parent'!s}; moving a "
                "section is a plan revision (POST /v1/plans/{plan_id}/revisions)"
            )
        elif row.section_title and row.section_title != text_in(known.title, [plan.language]):
            earlier = renames.setdefault(code, (row.number, row.section_title))
            if earlier[1] != row.section_title:
                out.problems[row.number] = (
                    f"section {code!r} is given another title on row {earlier[0]}"
                )
            elif earlier[0] == row.number:
                tree[code] = _renamed(plan, known, row.section_title)
                out.changing.add(row.number)
                out.touched.add(code)
    _place(tree, new, out)
    out.tree = list(tree.values())
    return out


def _collect(new: dict[str, _NewSection], row: SheetRow, out: SectionPlan) -> None:
    found = new.setdefault(row.section, _NewSection([], "", ""))
    found.rows.append(row.number)
    if row.section_title and found.title and row.section_title != found.title:
        out.problems[row.number] = (
            f"section {row.section!r} is given another title on row {found.rows[0]}"
        )
    if row.parent and found.parent and row.parent != found.parent:
        out.problems[row.number] = (
            f"section {row.section!r} is given another parent on row {found.rows[0]}"
        )
    found.title = found.title or row.section_title
    found.parent = found.parent or row.parent


def _place(tree: dict[str, Section], new: dict[str, _NewSection], out: SectionPlan) -> None:
    """Add the new sections whose parent is known, until none is left that can be."""
    waiting = dict(new)
    for code, found in list(waiting.items()):
        if not found.title:
            out.failed[code] = f"new section {code!r} needs its section_title"
            del waiting[code]
    progress = True
    while waiting and progress:
        progress = False
        for code, found in list(waiting.items()):
            if found.parent and found.parent not in tree:
                continue
            parent = found.parent or None
            tree[code] = Section(code, found.title, parent, "action" if parent else "domain")
            out.changing.add(found.rows[0])
            out.touched.add(code)
            out.changed = progress = True
            del waiting[code]
    for code, found in waiting.items():
        out.failed[code] = f"section {code!r} names unknown parent {found.parent!r}"
    out.changed = out.changed or bool(out.touched)
