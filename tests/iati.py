"""The official IATI 2.03 activity schema, for tests: beside the repository, in
``../shared/iati-2.03/`` (found from this file, not from the working directory). A
missing schema fails the test: a file never validated is not a file that validates."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "iati-2.03"


@cache
def _schema() -> etree.XMLSchema:
    path = SCHEMA_DIR / "iati-activities-schema.xsd"
    if not path.is_file():
        pytest.fail(f"the IATI 2.03 schema is missing: {path}")
    return etree.XMLSchema(etree.parse(str(path)))


def validated(content: bytes) -> etree._Element:
    """The document's root once it validates against the schema (else the test fails
    with the schema's first errors)."""
    root = etree.fromstring(content)
    schema = _schema()
    if not schema.validate(root):
        errors = "\n".join(str(e) for e in list(schema.error_log)[:10])
        pytest.fail(f"not a valid IATI 2.03 activity file:\n{errors}")
    return root
