"""Unit tests of app.core.redact: secret patterns, known-secret scrubbing, and the reversible masking of
e-mail addresses, IPs and domains (with restoring, also when the text arrives in pieces)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.redact import MASK, IdentifierMasker, redact_obj, redact_outbound, redact_text, scrub_known, secret_values


@pytest.mark.parametrize("line,secret", [
    ("auth_pass=hunter2hunter", "hunter2hunter"),
    ("password: 'yaml-pw-1'", "yaml-pw-1"),
    ('"apiKey": "k-123456",', "k-123456"),
    ("export DB_PASSWORD=env-pw-77", "env-pw-77"),
    ("  - MONGO_PASSWORD=list-pw-8", "list-pw-8"),
    ("requirepass redis-conf-pw", "redis-conf-pw"),
    ("redis-cli -h 10.0.0.2 -a cli-pw-99 ping", "cli-pw-99"),
    ("mongosh --password=flag-pw-5 --username admin", "flag-pw-5"),
    ("url: mongodb://user:p@ss@w0rd@db.example.com:27017/wildduck", "p@ss@w0rd"),
    ("redis://:only-pw-4@127.0.0.1:6379/3", "only-pw-4"),
    ("amqps://u:amqp-pw-3@rabbit/vhost", "amqp-pw-3"),
    ("C: AUTH PLAIN AGFsaWNlAHBhc3N3b3Jk", "AGFsaWNlAHBhc3N3b3Jk"),
    ("[PROTOCOL] [x] [core] C: cGFzc3dvcmQxMjM=", "cGFzc3dvcmQxMjM="),
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
    ("key sk-abcdefghijklmnopqrstuvwx in text", "sk-abcdefghijklmnopqrstuvwx"),
    ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl here", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
    ('password = "$2$abc$def";', "$2$abc$def"),
    ("bindpw=ldap-pw-1", "ldap-pw-1"),
])
def test_secret_shapes_are_masked(line, secret):
    red = redact_text(line)
    assert secret not in red and MASK in red
    assert secret in secret_values(line) or secret.strip("'\"") in secret_values(line)


@pytest.mark.parametrize("line", [
    "C: QUIT", "C: DATA", "C: EHLO mail.example.com", "bypass_private: 1", "passive=yes", "auth_pass=true",
    "enable_tls=true", "host=smtp.relay.example.net", "secret_file: /etc/haraka/srs.key://x",
])
def test_non_secrets_are_kept(line):
    assert redact_text(line) == line


def test_users_section_and_pem_and_yaml_stays_parseable():
    import yaml
    ini = "[core]\nmethods=PLAIN\n[users]\nalice=pw-alice-1\n; bob=old\n[other]\nx=1\n"
    red = redact_text(ini)
    assert "alice=****" in red and "; bob=old" in red and "x=1" in red
    pem = "a\n-----BEGIN RSA PRIVATE KEY-----\nAAAAbbbbCCCCddddEEEE\nFFFF\n-----END RSA PRIVATE KEY-----\nb"
    assert "AAAAbbbbCCCCddddEEEE" not in redact_text(pem) and redact_text(pem).endswith("b")
    truncated = "-----BEGIN PRIVATE KEY-----\nAAAAbbbbCCCCddddEEEE\n"
    assert "AAAAbbbb" not in redact_text(truncated)
    doc = "mongo:\n  password: plain-pw-1\n  user: x\n"
    assert yaml.safe_load(redact_text(doc))["mongo"] == {"password": MASK, "user": "x"}


def test_known_secrets_are_scrubbed_from_prose():
    known = secret_values("auth_pass=Fw-Auth-Pass-55\nport=587\n")
    assert known == {"Fw-Auth-Pass-55"}
    assert scrub_known("I typed Fw-Auth-Pass-55 by mistake", known) == f"I typed {MASK} by mistake"
    assert redact_obj({"a": ["x Fw-Auth-Pass-55"]}, known) == {"a": [f"x {MASK}"]}
    assert "587" not in secret_values("port=587")


def test_identifiers_are_masked_consistently_and_restored():
    m = IdentifierMasker()
    text = ("connect ip=203.0.113.45 local_ip=::ffff:192.0.2.25 [::0]:25 2001:db8::25 "
            "rcpt <alice@example.com> helo mx.example.com. Bob@Example.com zen.spamhaus.org "
            "wildduck.yaml rcpt_to.in_host_list smtp.ini 8.8.8.8 127.0.0.1 10:14:07.311Z a@sender.test")
    masked = m.mask(text)
    for gone in ("203.0.113.45", "192.0.2.25", "2001:db8::25", "alice@example.com", "mx.example.com",
                 "Bob@Example.com"):
        assert gone not in masked
    for kept in ("zen.spamhaus.org", "wildduck.yaml", "rcpt_to.in_host_list", "smtp.ini", "8.8.8.8",
                 "127.0.0.1", "10:14:07.311Z", "[::0]:25", "a@sender.test", "::ffff:"):
        assert kept in masked
    assert "mx.domain1.example" in masked and "user1@domain1.example" in masked
    assert m.restore(masked) == text
    # the same identifier gets the same placeholder next time; learn=False masks only known ones
    assert m.mask("again alice@example.com") == "again user1@domain1.example"
    assert m.mask("docs: other.example.org and example.com", learn=False) == "docs: other.example.org and domain1.example"


def test_masking_can_be_switched_off_per_kind():
    m = IdentifierMasker(emails=False, ips=True, domains=False)
    out = m.mask("alice@example.com from 198.51.100.7 via mx.example.com")
    assert out == "alice@example.com from IPv4_1 via mx.example.com"
    assert not IdentifierMasker(False, False, False).active


def test_secrets_go_before_identifiers():
    m = IdentifierMasker()
    out = redact_outbound("mongodb://admin:s3cr3t-pw@mongo.example.com:27017/wildduck", m)
    assert "s3cr3t-pw" not in out and out.startswith("mongodb://admin:****@mongo.domain1.example:27017")


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=400), max_size=12))
def test_stream_restorer_handles_any_split(cuts):
    m = IdentifierMasker()
    original = ("Send to alice@example.com via mx.example.com (203.0.113.45), then check bob@example.com. "
                "IPv6 2001:db8::1 too; done.")
    masked = m.mask(original)
    r = m.restorer()
    pieces, pos = [], 0
    for c in sorted(set(cuts)):
        if c < len(masked):
            pieces.append(masked[pos:c])
            pos = c
    pieces.append(masked[pos:])
    out = "".join(r.feed(p) for p in pieces) + r.finish()
    assert out == original


def test_restore_does_not_touch_lookalikes():
    m = IdentifierMasker()
    m.mask("alice@example.com 203.0.113.45")
    assert m.restore("IPv4_12 and domain11.example and user1@domain1.examples") == \
        "IPv4_12 and domain11.example and user1@domain1.examples"
