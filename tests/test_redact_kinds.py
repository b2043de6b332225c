"""One case per shape the structure-aware masker reads (app.core.redact), and the look-alikes it
must leave alone so the checks and the admin still read the line."""
from __future__ import annotations

import pytest

from app.core.redact import MASK, redact_line, redact_text, secret_values


@pytest.mark.parametrize("text,secret", [
    ('{"mongo": {"password": "Kv1-json-one-line"}, "x": 1}', "Kv1-json-one-line"),
    ('{"pass": "Kv2\\"escaped\\"quote"}', 'Kv2\\"escaped\\"quote'),
    ("mongo: {user: wild, password: Kv3FlowYaml}", "Kv3FlowYaml"),
    ('auth = { user = "x", password = "Kv4TomlInline" }', "Kv4TomlInline"),
    ('password = """\nKv5TomlMulti\n"""', "Kv5TomlMulti"),
    ("srs:\n  secret: |-\n    Kv6BlockScalar\n  enabled: true", "Kv6BlockScalar"),
    ("[ users ]\nalice = Kv7UsersSpaces", "Kv7UsersSpaces"),
    ("GET /users?access_token=Kv8Query&limit=5", "Kv8Query"),
    ("curl -H 'X-Api-Key: Kv9Header' http://h/", "Kv9Header"),
    ("mongosh -u admin -p Sh1Mongosh mongodb://h/db", "Sh1Mongosh"),
    ("curl -u admin:Sh2Curl https://h/", "Sh2Curl"),
    ("curl -d '{\"password\":\"Sh3Data\"}' http://h/", "Sh3Data"),
    ("docker run -e MONGO_PASSWORD=Sh4Docker -p 27017:27017 mongo", "Sh4Docker"),
    ("swaks --to a@b.example --ap Sh5Swaks", "Sh5Swaks"),
    ("redis-cli -h r -p 6379 -a Sh6Redis ping", "Sh6Redis"),
    ('test: ["CMD", "redis-cli", "-a", "Sh7Exec", "ping"]', "Sh7Exec"),
    ("mysql -uroot -pSh8Attached db", "Sh8Attached"),
    ("user app on >Rd1AclPass ~* +@all", "Rd1AclPass"),
    ("requirepass Rd2Require", "Rd2Require"),
    ("127.0.0.1:6379> AUTH Rd3Typed", "Rd3Typed"),
    ("[PROTOCOL] [A-1] [core] C: c2VjcmV0LWxvZ2luLXB3 state=1", "c2VjcmV0LWxvZ2luLXB3"),
    ('level=PROTOCOL uuid=A message="C: AUTH PLAIN AGFAYgBTbXRwMQ== state=1"', "AGFAYgBTbXRwMQ=="),
    ('{"level":"PROTOCOL","message":"C: U210cDJMb2dpbg== state=1"}', "U210cDJMb2dpbg=="),
    ("S: 334 UGFzc3dvcmQ6\nU210cDNCYXJl\n", "U210cDNCYXJl"),
    ("mongo.url is `wild:Ur1Bare@mongo:27017/wildduck`", "Ur1Bare"),
    ("git+https://user:Ur2AnyScheme@git.example.com/x.git", "Ur2AnyScheme"),
    ("private: MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"),
    ('"key": "-----BEGIN PRIVATE KEY-----\\nPm1EscapedBody\\n-----END PRIVATE KEY-----\\n"', "Pm1EscapedBody"),
    ("-----BEGIN EC PRIVATE KEY-----\nPm2CutOffBody\n", "Pm2CutOffBody"),
    ("my password is Pr1Prose and the rest", "Pr1Prose"),
    ("srs secret 5RSa8f3Kq9ZxL0pW2mN7 in use", "5RSa8f3Kq9ZxL0pW2mN7"),
    ("[smtp.relay.example.com]:587 u@example.com:Sa1Sasl", "Sa1Sasl"),
    ("admin:$apr1$salt$Hs1AprHashValue", "$apr1$salt$Hs1AprHashValue"),
])
def test_each_shape_is_masked(text, secret):
    red = redact_text(text)
    assert secret not in red and MASK in red, red


def test_decoded_auth_password_is_known_for_prose():
    """The password inside a PLAIN payload is scrubbed from a question quoting it."""
    import base64
    payload = base64.b64encode(b"\0alice@example.com\0Dec0dedPw7").decode()
    assert "Dec0dedPw7" in secret_values(f"[PROTOCOL] [x] [core] C: AUTH PLAIN {payload} state=1")


@pytest.mark.parametrize("line", [
    "[INFO] [A] [helo.checks] helo_host: mail.sender.test, pass:bare_ip, literal_mismatch",
    "[NOTICE] [A.1] [wildduck] RATELIMITED key=65a1f0c2e4b0a1b2c3d4e601 selector=rcpt limit=60",
    "docker run -d --name mongo -p 27017:27017 mongo:7",
    "S: 250 AUTH PLAIN LOGIN CRAM-MD5",
    "[PROTOCOL] [A] [core] C: QUIT state=1",
    "[PROTOCOL] [A] [core] C: ehlo mail.sender.test state=1",
    "rcpt -> wildduck",
    "mailto:alice@example.com",
    "C: MAIL FROM:alice@example.com state=1",
    "key=tls_key.pem",
    "MONGO_INITDB_ROOT_PASSWORD_FILE=/run/secrets/mongo",
    "password_min_length: 12",
    "auth_user=forwarder@example.com",
    "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw8dkimPublicKeyIsPublic",
    "[ERROR] [8E1F2A3B-1C2D-4E5F-8A9B-0C1D2E3F4A5B] [core] auth failed for user",
    "Password authentication failed for user wildduck",
])
def test_look_alikes_are_kept(line):
    assert redact_text(line) == line


def test_redact_line_keeps_the_users_section_form():
    assert redact_line("bob=Us1Line", in_users_section=True) == "bob=****"
