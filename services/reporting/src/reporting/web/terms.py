"""The names the views give as codes (statuses, roles, report levels, flow types, kinds
of change, event types), as the interface shows them. Each is marked for extraction
here and translated when shown; a code without a name is shown as written, its
underscores as spaces."""

from __future__ import annotations

from typing import Final


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate".
    return message


STATUSES: Final = ("planned", "launched", "completed", "suspended", "cancelled")

TERMS: Final[dict[str, str]] = {
    # Commitment statuses.
    "planned": N_("planned"),
    "launched": N_("launched"),
    "completed": N_("completed"),
    "suspended": N_("suspended"),
    "cancelled": N_("cancelled"),
    # Parties' roles.
    "responsible": N_("responsible"),
    "contributor": N_("contributor"),
    "funder": N_("funder"),
    "monitor": N_("monitor"),
    # Progress reports.
    "not_started": N_("not started"),
    "limited": N_("limited"),
    "substantial": N_("substantial"),
    "complete": N_("complete"),
    # Kinds of change between two dates.
    "created": N_("created"),
    "status": N_("status"),
    "report": N_("report"),
    "retraction": N_("retraction"),
    "measurement": N_("measurement"),
    "indicator": N_("indicator"),
    "milestone": N_("milestone"),
    "amendment": N_("amendment"),
    "money": N_("money"),
    "other": N_("other"),
}

#: Money flows by direction and type (IATI's transaction types).
FLOWS: Final[dict[tuple[str, str], str]] = {
    ("outgoing", "pledge"): N_("outgoing pledge"),
    ("outgoing", "commitment"): N_("outgoing commitment"),
    ("outgoing", "decommitment"): N_("decommitment"),
    ("outgoing", "disbursement"): N_("disbursement"),
    ("outgoing", "expenditure"): N_("expenditure"),
    ("incoming", "pledge"): N_("incoming pledge"),
    ("incoming", "commitment"): N_("incoming commitment"),
    ("incoming", "disbursement"): N_("incoming funds"),
}

#: Events on a commitment's timeline, by the last part of their type.
EVENTS: Final[dict[str, str]] = {
    "created": N_("plan created"),
    "key_date_recorded": N_("key date recorded"),
    "visibility-changed": N_("visibility changed"),
    "revised": N_("plan revised"),
    "made": N_("commitment made"),
    "status_changed": N_("status changed"),
    "progress_reported": N_("progress reported"),
    "progress_report_retracted": N_("progress report retracted"),
    "measurement_recorded": N_("measurement recorded"),
    "indicator_added": N_("indicator added"),
    "milestone_added": N_("milestone added"),
    "milestone_reached": N_("milestone reached"),
    "amended": N_("commitment amended"),
    "source_registered": N_("source registered"),
    "agreement_concluded": N_("agreement concluded"),
    "funds_allocated": N_("funds allocated"),
    "flow_recorded": N_("flow recorded"),
    "flow_reversed": N_("flow reversed"),
    "target_set": N_("target set"),
    "exchange_rate_recorded": N_("exchange rate recorded"),
}


def term(code: str | None) -> str:
    """The English name of a code, to be translated; unknown codes as written."""
    text = code or ""
    return TERMS.get(text, text.replace("_", " "))


def flow_name(direction: str, kind: str) -> str:
    """The English name of a money flow of ``kind`` going ``direction``."""
    return FLOWS.get((direction, kind), f"{direction} {kind}")


def event_name(event_type: str) -> str:
    """The English name of an event type (``org.pactstream.commitment.made``)."""
    last = event_type.rsplit(".", 1)[-1]
    return EVENTS.get(last, last.replace("_", " "))
