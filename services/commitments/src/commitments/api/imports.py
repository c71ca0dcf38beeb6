"""Importing a plan's sections and commitments from a spreadsheet, and the empty
template to fill in. Included before the plan routes: ``/v1/plans/import-template.xlsx``
is no plan id."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel

from commitments.adapters import spreadsheet
from commitments.api.dependencies import Metadata, Writer
from commitments.application.importing import PlanImport
from shared.http.problems import Problem, problem_responses

router = APIRouter(prefix="/v1")


async def get_imports(request: Request) -> PlanImport:
    imports: PlanImport = request.app.state.imports
    return imports


Imports = Annotated[PlanImport, Depends(get_imports)]


class ImportResultOut(BaseModel):
    row: int
    code: str | None
    status: Literal["accepted", "unchanged", "rejected"]
    problem: str | None = None
    #: The row's section, when it names one.
    section: str | None = None
    #: The commitment the row made or compared with (none for a section's row or a
    #: rejected row).
    id: str | None = None


class ImportOut(BaseModel):
    results: list[ImportResultOut]
    #: Header cells that name no import column; their cells were not read.
    ignored_columns: list[str] = []


def _file_name(disposition: str | None) -> str | None:
    """The file name a ``Content-Disposition`` header gives: its ``filename*``
    (RFC 6266: ``UTF-8''plan-r%C3%A9vis%C3%A9.csv``) when there is one, else its
    ``filename``; the last path segment only."""
    if not disposition:
        return None
    extended = re.search(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;\s]+)", disposition, re.I)
    if extended:
        try:
            name = unquote(extended.group(2), encoding=extended.group(1), errors="strict")
        except (LookupError, UnicodeDecodeError):
            name = ""
    else:
        plain = re.search(r"""filename\s*=\s*(?:"([^"]*)"|([^;\s]+))""", disposition, re.I)
        name = (plain.group(1) or plain.group(2) or "") if plain else ""
    name = name.strip().replace("\\", "/").rsplit("/", 1)[-1]
    return name[:200] or None


_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The spreadsheet itself; its first row names the columns.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            spreadsheet.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/plans/import-template.xlsx",
    tags=["plans"],
    response_class=Response,
    responses={200: {"content": {spreadsheet.XLSX_TYPE: {}}, "description": "The template"}},
)
async def import_template() -> Response:
    """An empty sheet with the import's columns (and a second sheet saying what each
    holds), to fill in and send to ``POST /v1/plans/{plan_id}/import``."""
    return Response(
        spreadsheet.template(),
        media_type=spreadsheet.XLSX_TYPE,
        headers={"Content-Disposition": 'attachment; filename="import-template.xlsx"'},
    )


@router.post(
    "/plans/{plan_id}/import",
    response_model=ImportOut,
    tags=["plans"],
    openapi_extra=_BODY,
    responses=problem_responses(403, 404, 413, 415, 422),
)
async def import_plan(
    plan_id: str,
    request: Request,
    imports: Imports,
    principal: Writer,
    meta: Metadata,
    content_disposition: Annotated[str | None, Header()] = None,
) -> ImportOut:
    """Sections and commitments from a CSV or XLSX sheet with the columns ``section``,
    ``section_title``, ``parent``, ``code``, ``title``, ``title_fr``, ``parties``
    (``name:role; name:role``), ``deadline`` and ``priority``. New sections and renamed
    section titles become one plan revision; a code not yet in the plan is a new
    commitment, one already there an amendment when the row changes it. Each row gets
    its result (``accepted``, ``unchanged`` or ``rejected`` with its problem); importing
    the same sheet again changes nothing."""
    try:
        sheet = spreadsheet.read_sheet(await request.body(), request.headers.get("content-type"))
    except spreadsheet.UnsupportedSheet as exc:
        raise Problem(415, "unsupported-media-type", str(exc)) from None
    except spreadsheet.BadSheet as exc:
        errors = [{"pointer": f"/columns/{c}", "detail": "missing column"} for c in exc.missing]
        raise Problem(422, "invalid-sheet", str(exc), errors=errors or None) from None
    name = _file_name(content_disposition)
    results = await imports.run(plan_id, sheet.rows, name, meta, principal.write_scope)
    return ImportOut(
        results=[ImportResultOut.model_validate(r, from_attributes=True) for r in results],
        ignored_columns=sheet.ignored,
    )
