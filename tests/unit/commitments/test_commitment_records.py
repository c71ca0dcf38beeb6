"""Given a commitment, when a report, measurement, milestone or amendment, then events."""

from datetime import date

import pytest

from commitments.domain import commitment as rules
from commitments.domain.commitment import (
    AddIndicator,
    AddMilestone,
    Amend,
    ReachMilestone,
    RecordMeasurement,
    ReportProgress,
    RetractReport,
)
from commitments.domain.errors import AlreadyExists, RuleViolated
from shared.contracts import commitments as events
from shared.contracts.commitments import IndicatorData, IndicatorPoint, PartyData
from shared.periods import parse_period
from tests.unit.commitments.test_commitment_decider import made

INDICATOR = IndicatorData(
    code="cost",
    title="Remittance cost",
    unit="%",
    direction="decrease",
    target=IndicatorPoint(value="3", date=date(2030, 12, 31)),
)


def then(state: rules.Commitment, command: rules.Command) -> rules.Commitment:
    for event in rules.decide(state, command):
        evolved = rules.evolve(state, event)
        assert evolved is not None
        state = evolved
    return state


def test_a_progress_report_is_recorded_and_can_be_retracted_once_with_a_reason() -> None:
    state = made()
    report = ReportProgress("r1", date(2016, 5, 1), "limited", "Started", ("https://e.org/a",))
    (reported,) = rules.decide(state, report)
    assert isinstance(reported, events.ProgressReported)
    assert (reported.completion, reported.evidence) == ("limited", ("https://e.org/a",))
    state = then(state, report)
    with pytest.raises(AlreadyExists):
        rules.decide(state, report)
    (retracted,) = rules.decide(state, RetractReport("r1", "wrong commitment"))
    assert retracted == events.ProgressReportRetracted(
        commitment_id="c1", plan_id="p1", report_id="r1", reason="wrong commitment"
    )
    state = then(state, RetractReport("r1", "wrong commitment"))
    assert state.reports[0].retracted
    with pytest.raises(RuleViolated):
        rules.decide(state, RetractReport("r1", "again"))
    with pytest.raises(RuleViolated):
        rules.decide(state, RetractReport("r9", "unknown"))


def test_a_report_dated_before_the_commitment_was_made_is_refused() -> None:
    with pytest.raises(RuleViolated) as raised:
        rules.decide(made(), ReportProgress("r1", date(2015, 1, 1), "limited"))
    assert raised.value.field == "/as_of"


def test_measurements_need_a_known_indicator() -> None:
    state = made()
    with pytest.raises(RuleViolated) as raised:
        rules.decide(state, RecordMeasurement("cost", "5.1", date(2016, 1, 1)))
    assert raised.value.field == "/indicator"
    state = then(state, AddIndicator(INDICATOR))
    (measured,) = rules.decide(state, RecordMeasurement("cost", "5.1", date(2016, 1, 1)))
    assert isinstance(measured, events.MeasurementRecorded) and measured.value == "5.1"
    with pytest.raises(AlreadyExists):
        rules.decide(state, AddIndicator(INDICATOR))


def test_a_milestone_is_planned_then_reached_once() -> None:
    state = then(made(), AddMilestone("M1", "Seminar", parse_period("first half of 2016")))
    assert state.milestones[0].planned is not None
    assert state.milestones[0].planned.end == date(2016, 6, 30)
    state = then(state, ReachMilestone("M1", date(2016, 5, 20)))
    assert state.milestones[0].reached_on == date(2016, 5, 20)
    with pytest.raises(RuleViolated):
        rules.decide(state, ReachMilestone("M1", date(2016, 6, 1)))
    with pytest.raises(RuleViolated):
        rules.decide(state, ReachMilestone("M2", date(2016, 6, 1)))


def test_an_amendment_changes_only_what_it_names_and_needs_a_reason() -> None:
    state = then(made(), Amend(date(2016, 6, 15), "SOM decision", deadline="2017"))
    assert state.deadline is not None and state.deadline.end == date(2017, 12, 31)
    assert state.title == "Do it"
    state = then(
        state,
        Amend(
            date(2016, 7, 1),
            "new partner",
            parties=(
                PartyData(name="EU", role="responsible"),
                PartyData(name="AU", role="monitor"),
            ),
        ),
    )
    assert [p.name for p in state.parties] == ["EU", "AU"]
    with pytest.raises(RuleViolated):
        rules.decide(state, Amend(date(2016, 7, 1), " ", title="x"))
    with pytest.raises(RuleViolated):
        rules.decide(state, Amend(date(2016, 7, 1), "nothing"))
