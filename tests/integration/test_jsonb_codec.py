"""The pools' ``jsonb`` codec: values in and out as Python values, ``jsontext.Raw``
text stored as it is, and binary COPY of ``jsonb`` columns (which a rebuild's shadow
writes its timeline with)."""

from __future__ import annotations

from shared import jsontext
from shared.database import create_pool


async def test_values_raw_text_and_copy_round_trip(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("CREATE TEMP TABLE docs (n int, doc jsonb)")
            await conn.executemany(
                "INSERT INTO docs VALUES ($1, $2)",
                [(1, {"a": 1}), (2, "plain"), (3, jsontext.Raw('{"b": [true, null]}')), (4, None)],
            )
            await conn.copy_records_to_table(
                "docs", records=[(5, {"c": "ç"}), (6, jsontext.Raw("[1, 2]")), (7, None)]
            )
            rows = await conn.fetch("SELECT n, doc, doc::text AS text FROM docs ORDER BY n")
    finally:
        await pool.close()
    assert [(r["n"], r["doc"]) for r in rows] == [
        (1, {"a": 1}),
        (2, "plain"),
        (3, {"b": [True, None]}),
        (4, None),
        (5, {"c": "ç"}),
        (6, [1, 2]),
        (7, None),
    ]
    assert rows[1]["text"] == '"plain"', "a Python string is stored as a JSON string"
