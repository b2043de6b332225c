"""Passwords on command lines, read word by word the way each command reads its arguments.

`-p` is a password for mongosh and sshpass but a port for redis-cli, ssh and docker run, so short
flags come from a table per command; long flags are recognised by name (`--password`,
`--requirepass`, `--api-key`, `--token=...`). Words are taken as a shell splits them and also
from exec-form arrays (`test: ["CMD", "redis-cli", "-a", "pw", "ping"]` in a compose file).
`curl -u user:pw`, `smbclient -U user%pw`, `openssl -passin pass:pw`, positional passwords
(`htpasswd -b file user pw`, `rabbitmqctl add_user u pw`, `doveadm auth test u pw`) and
`... set <secret name> value` (redis `CONFIG SET requirepass`, `aws configure set`) too.
"""
from __future__ import annotations

import re

from app.core.redact.names import is_secret_name
from app.core.redact.spans import Spans

WORD_RE = re.compile(r"""(?:[^\s"'\[\]]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')+""")
MONGO = ("mongosh", "mongo", "mongodump", "mongorestore", "mongoexport", "mongoimport", "mongostat", "mongotop",
         "mongofiles")
LDAP = ("ldapsearch", "ldapadd", "ldapmodify", "ldapwhoami", "ldappasswd", "ldapdelete", "ldapcompare")
# command -> short flags whose next word (or attached rest) is a password
PASSWORD_FLAGS: dict[str, tuple[str, ...]] = {
    **{c: ("-p",) for c in MONGO}, **{c: ("-w",) for c in LDAP},
    "redis-cli": ("-a",), "valkey-cli": ("-a",), "keydb-cli": ("-a",), "sshpass": ("-p",),
    "mosquitto_pub": ("-P",), "mosquitto_sub": ("-P",), "swaks": ("-ap", "--ap", "-apass"),
    "sendemail": ("-xp",), "testsaslauthd": ("-p",), "docker-login": ("-p",),
    "openssl": ("-k",), "zip": ("-P",), "unzip": ("-P",), "7z": ("-p",),
}
ATTACHED = {"mysql", "mysqldump", "mariadb", "mysqladmin", "mariadb-dump", "mysqlimport", "7z"}
USER_COLON_PASS = {"-u", "--user", "-U", "--proxy-user", "--basic-auth"}     # curl, wget, httpie style user:pass
POSITIONAL = {"htpasswd": -1, "add_user": 2, "change_password": 2, "authenticate_user": 2, "test": 2}
KNOWN = set(PASSWORD_FLAGS) | ATTACHED | set(POSITIONAL) | {"curl", "wget", "smbclient", "http"}
NOT_FLAG_VALUE = re.compile(r"^-")
FLAG_HINT = re.compile(r"(?:^|[\s\"'])-{1,2}[A-Za-z]")
DB_AUTH_RE = re.compile(r"""\.auth\(\s*["'][^"']*["']\s*,\s*["'](?P<pw>[^"']*)["']""")


def _words(line: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each word; a quoted word's span is inside its quotes, commas of
    exec-form arrays dropped."""
    out = []
    for m in WORD_RE.finditer(line):
        s, e = m.span()
        w = m.group()
        if len(w) > 1 and w.endswith(",") and w[-2] in "\"'":
            e, w = e - 1, w[:-1]
        if len(w) >= 2 and w[0] in "\"'" and w[-1] == w[0]:
            s, e, w = s + 1, e - 1, w[1:-1]
        out.append((s, e, w))
    return out


def _command(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def scan_line(line: str, offset: int, spans: Spans) -> None:
    if ".auth(" in line:                                   # mongosh: db.auth("user", "pw")
        for m in DB_AUTH_RE.finditer(line):
            spans.add_group(m, "pw", offset)
    if not FLAG_HINT.search(line) and " set " not in line.lower() and "htpasswd" not in line:
        return
    words = _words(line)
    cmd = ""
    for i, (s, e, w) in enumerate(words):
        cmd = _current_command(words, i, cmd)
        nxt = words[i + 1] if i + 1 < len(words) else None
        if w.startswith("-"):
            _flag(w, s, e, nxt, cmd, offset, spans)
        elif w.lower() == "set" and nxt and is_secret_name(nxt[2]) and i + 2 < len(words):
            _mask(words[i + 2], offset, spans)
        elif "%" in w and i and words[i - 1][2] in ("-U", "--user") and cmd == "smbclient":
            spans.add(offset + s + w.index("%") + 1, offset + e)
    _positional(words, offset, spans)


def _current_command(words: list[tuple[int, int, str]], i: int, cmd: str) -> str:
    """The command whose arguments word i belongs to (`--name mongo` does not start `mongo`)."""
    name = _command(words[i][2])
    if name == "login" and i and _command(words[i - 1][2]) == "docker":
        return "docker-login"
    if name in KNOWN and (i == 0 or not words[i - 1][2].startswith("-")):
        return name
    return cmd


def _flag(w: str, s: int, e: int, nxt, cmd: str, offset: int, spans: Spans) -> None:
    flag, eq, attached = w.partition("=")
    if flag.startswith("--no-"):
        return
    if flag in PASSWORD_FLAGS.get(cmd, ()) or (len(flag) > 3 and is_secret_name(flag.lstrip("-"))):
        if eq:
            _mask((s + len(flag) + 1, e, attached), offset, spans)
        elif nxt is not None and not NOT_FLAG_VALUE.match(nxt[2]):
            _mask(nxt, offset, spans)
        return
    if cmd in ATTACHED and flag.startswith("-p") and len(flag) > 2 and not flag.startswith("--"):
        spans.add(offset + s + 2, offset + e)                 # mysql -pSECRET
    elif flag in USER_COLON_PASS and cmd in ("curl", "wget", "") and nxt is not None and ":" in nxt[2]:
        ns, ne, nw = nxt
        spans.add(offset + ns + nw.index(":") + 1, offset + ne)     # curl -u user:SECRET


def _mask(word: tuple[int, int, str], offset: int, spans: Spans) -> None:
    s, e, w = word
    if len(w) >= 2 and w[0] in "\"'" and w[-1] == w[0]:
        s, e = s + 1, e - 1
    if w.startswith("pass:"):
        s += 5
    spans.add(offset + s, offset + e)


def _positional(words: list[tuple[int, int, str]], offset: int, spans: Spans) -> None:
    """Commands whose password is a positional argument."""
    names = [_command(w) for _, _, w in words]
    if "htpasswd" in names:
        i = names.index("htpasswd")
        flags = "".join(w for _, _, w in words[i + 1:] if w.startswith("-"))
        args = [x for x in words[i + 1:] if not x[2].startswith("-") and x[2] not in ("|", "&&", ";")]
        if "b" in flags and len(args) >= 2:
            _mask(args[-1], offset, spans)
        return
    for verb in ("add_user", "change_password", "authenticate_user"):
        if verb in names and "rabbitmqctl" in names:
            i = names.index(verb)
            if i + 2 < len(words):
                _mask(words[i + 2], offset, spans)
    if "doveadm" in names and "auth" in names:
        i = names.index("auth")
        args = [x for x in words[i + 2:] if not x[2].startswith("-")]
        if len(args) >= 2:
            _mask(args[1], offset, spans)
