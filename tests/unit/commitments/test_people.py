"""People: invited once, a password set once through the invitation, revoked for good."""

from datetime import UTC, datetime, timedelta

import pytest

from commitments.domain import people
from commitments.domain.errors import AlreadyExists, NotFound, RuleViolated
from shared.contracts.access import PersonInvited, PersonPasswordSet, PersonRevoked
from shared.decider import fold

NOW = datetime(2026, 12, 1, tzinfo=UTC)
EXPIRES = NOW + timedelta(days=7)

INVITE = people.InvitePerson("ana", "Ana", "reader", (), (), "digest", EXPIRES)


def invited() -> people.Person:
    state = fold(people.DECIDER, people.DECIDER.decide(None, INVITE), None)
    assert state is not None
    return state


def test_an_invited_person_sets_a_password_once_with_their_invitation() -> None:
    state = invited()
    with pytest.raises(AlreadyExists):
        people.DECIDER.decide(state, INVITE)
    with pytest.raises(NotFound):  # Someone else's invitation, or a guess.
        people.DECIDER.decide(state, people.SetPassword("other", "sealed", NOW))
    (event,) = people.DECIDER.decide(state, people.SetPassword("digest", "sealed", NOW))
    assert event == PersonPasswordSet(person_id="ana", sealed_hash="sealed")
    state = people.DECIDER.evolve(state, event)
    assert state is not None and state.password_set
    with pytest.raises(people.InvitationUsed):
        people.DECIDER.decide(state, people.SetPassword("digest", "again", NOW))


def test_a_revoked_person_cannot_use_the_invitation_and_revoking_twice_changes_nothing() -> None:
    state = invited()
    (revoked,) = people.DECIDER.decide(state, people.RevokePerson())
    assert revoked == PersonRevoked(person_id="ana")
    state = people.DECIDER.evolve(state, revoked)
    with pytest.raises(NotFound):
        people.DECIDER.decide(state, people.SetPassword("digest", "sealed", NOW))
    assert list(people.DECIDER.decide(state, people.RevokePerson())) == []


def test_invitations_need_a_name_and_operators_no_scopes() -> None:
    with pytest.raises(RuleViolated):
        people.DECIDER.decide(None, people.InvitePerson("x", " ", "reader", (), (), "d"))
    with pytest.raises(RuleViolated):
        people.DECIDER.decide(None, people.InvitePerson("x", "X", "operator", ("p",), (), "d"))
    with pytest.raises(NotFound):
        people.DECIDER.decide(None, people.RevokePerson())
    assert isinstance(people.DECIDER.decide(None, INVITE)[0], PersonInvited)


def test_a_password_hash_is_sealed_again_only_while_it_is_in_force() -> None:
    state = invited()
    assert list(people.DECIDER.decide(state, people.ResealPassword("x"))) == []
    state = fold(
        people.DECIDER, people.DECIDER.decide(state, people.SetPassword("digest", "a", NOW)), state
    )
    (event,) = people.DECIDER.decide(state, people.ResealPassword("b"))
    assert event == PersonPasswordSet(person_id="ana", sealed_hash="b")
    state = fold(people.DECIDER, [event, PersonRevoked(person_id="ana")], state)
    assert list(people.DECIDER.decide(state, people.ResealPassword("c"))) == []


def test_an_invitation_expires() -> None:
    state = invited()
    late = EXPIRES + timedelta(seconds=1)
    with pytest.raises(people.InvitationExpired):
        people.DECIDER.decide(state, people.SetPassword("digest", "sealed", late))
    assert people.DECIDER.decide(state, people.SetPassword("digest", "sealed", EXPIRES))
