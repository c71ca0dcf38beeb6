import pytest

from shared import webhooks

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID, SPEC_TIME, SPEC_BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def headers(signature: str, stamp: int = SPEC_TIME) -> dict[str, str]:
    return {"webhook-id": SPEC_ID, "webhook-timestamp": str(stamp), "webhook-signature": signature}


def test_the_specification_example_signs_and_verifies() -> None:
    assert webhooks.sign(SPEC_SECRET, SPEC_ID, SPEC_TIME, SPEC_BODY) == SPEC_SIGNATURE
    webhooks.verify([SPEC_SECRET], headers(SPEC_SIGNATURE), SPEC_BODY, now=SPEC_TIME + 10)


def test_any_signature_matching_any_secret_passes_during_rotation() -> None:
    old, new = webhooks.new_secret(), SPEC_SECRET
    both = f"v1,bm90LWl0 {SPEC_SIGNATURE}"
    webhooks.verify([old, new], headers(both), SPEC_BODY, now=SPEC_TIME)


@pytest.mark.parametrize(
    ("hdrs", "body", "now"),
    [
        (headers(SPEC_SIGNATURE), b'{"test": 2432232315}', SPEC_TIME),  # body changed
        (headers(SPEC_SIGNATURE), SPEC_BODY, SPEC_TIME + 301),  # too late: a replay
        (headers(SPEC_SIGNATURE), SPEC_BODY, SPEC_TIME - 301),  # from the future
        (headers("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), SPEC_BODY, SPEC_TIME),
        ({"webhook-id": SPEC_ID}, SPEC_BODY, SPEC_TIME),  # headers missing
        (headers(SPEC_SIGNATURE, stamp=0) | {"webhook-timestamp": "soon"}, SPEC_BODY, 0),
    ],
)
def test_a_tampered_stale_or_unsigned_push_is_refused(
    hdrs: dict[str, str], body: bytes, now: int
) -> None:
    with pytest.raises(webhooks.InvalidSignature):
        webhooks.verify([SPEC_SECRET], hdrs, body, now=now)


def test_secrets_must_look_like_secrets() -> None:
    assert webhooks.check_secret(webhooks.new_secret())
    for bad in ("whsec_", "secret", "whsec_!!!!"):
        with pytest.raises(ValueError, match="whsec_"):
            webhooks.check_secret(bad)
