"""10 000 random and mutated survey tokens are never accepted (service), a sample also by the route."""
import base64
import json
import random
import string

from itsdangerous import URLSafeSerializer

from app.core import clock
from app.mailing.tokens import SALT, make_token, read_token
from app.survey.services import INVALID, resolve_survey_link

ALPHABET = string.ascii_letters + string.digits + "-_."


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decoded(token: str):
    """The bytes a token stands for; base64's unused trailing bits make some spellings equal."""
    try:
        return tuple(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.split("."))
    except ValueError:
        return token


def _mutations(token: str, other: str, rng: random.Random, nonce_other: str, inv_id: int):
    payload, sig = token.split(".")
    yield from (token[:n] for n in range(len(token)))  # every truncation
    yield token + "A"
    yield payload + "." + sig[::-1]
    yield payload + "." + other.split(".")[1]  # another invitation's signature
    yield other.split(".")[0] + "." + sig
    yield _b64(json.dumps([inv_id, nonce_other]).encode()) + "." + sig  # another invitation's nonce, old signature
    for secret, salt in (("other-secret", SALT), ("test-secret", "other-salt"), ("", SALT)):
        yield URLSafeSerializer(secret, salt=salt).dumps([inv_id, nonce_other])
    while True:
        chars = list(token)
        for _ in range(rng.randint(1, 3)):  # character flips
            i = rng.randrange(len(chars))
            chars[i] = rng.choice(ALPHABET.replace(chars[i], ""))
        yield "".join(chars)


def test_ten_thousand_random_and_mutated_tokens_are_refused(app, world):
    rng = random.Random(9)
    genuine = world.token_pending
    assert read_token(genuine) is not None and resolve_survey_link(genuine, clock.today()).state != INVALID
    other = make_token(world.inv_other)
    tried = set()
    mutations = _mutations(genuine, other, rng, world.inv_other.nonce, world.inv_pending.id)
    while len(tried) < 5000:
        tried.add(next(mutations))
    while len(tried) < 10000:
        tried.add("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 120))))
    # Spellings that decode to the genuine bytes are the genuine token (same signature), not a forgery.
    tried = {t for t in tried if _decoded(t) != _decoded(genuine)}
    assert len(tried) > 9900
    today = clock.today()
    accepted = [t for t in tried if resolve_survey_link(t, today).state != INVALID]
    assert accepted == []
    # The same invitation id with another invitation's nonce, correctly signed: still refused.
    forged = URLSafeSerializer("test-secret", salt=SALT).dumps([world.inv_pending.id, world.inv_other.nonce])
    assert resolve_survey_link(forged, today).state == INVALID


def test_route_refuses_a_sample_of_forged_tokens_with_one_neutral_page(client, world):
    rng = random.Random(4)
    genuine = world.token_pending
    samples = [genuine[:-1], genuine[:20], genuine + "x", "x.y.z", "", "%00", "../../etc/passwd",
               "".join(rng.choice(ALPHABET) for _ in range(60))]
    samples += ["".join(rng.choice(ALPHABET) for _ in range(len(genuine))) for _ in range(40)]
    pages = set()
    for token in samples:
        if not token:
            continue
        response = client.get(f"/s/{token}")
        assert response.status_code == 404, token
        assert "csrf_token" not in response.get_data(as_text=True)
        pages.add(response.get_data(as_text=True).replace(token, ""))
    assert client.get(f"/s/{genuine}").status_code == 200


def test_answered_link_cannot_submit_again(client, world):
    response = client.get(f"/s/{world.token_answered}")
    assert response.status_code == 200 and "csrf_token" not in response.get_data(as_text=True)
