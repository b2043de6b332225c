"""Haraka's core summary lines read by position: the fast path before generic key=value parsing.

Haraka 3.x writes these lines with a fixed key order (connection.js / plugins.js), e.g.
`hook=rcpt plugin=X function=hook_rcpt params=<a@b> retval=OK msg="..."`. Splitting on
spaces and checking each key is several times cheaper than a regex over the line, and these
lines are most of a log. When a line does not have the expected shape (another Haraka
version, a quoted value with spaces in an unexpected place) we fall back to `fast_kv`,
which handles any order and quoting.
"""
from __future__ import annotations

from app.core.logs.fields import fast_kv, unquote

Fields = dict[str, str]


def _value(raw: str) -> str:
    if raw[:1] != '"':
        return raw
    if raw == '""':
        return ""
    return unquote(raw)


def hook_result(text: str) -> Fields:
    """`hook=H plugin=P function=F params=X retval=R msg=M` (msg may contain spaces).

    Adds `address` (params without the brackets) when params is an address."""
    p = text.split(" ", 5)
    if len(p) == 6:
        hook, plugin, function, params, retval, msg = p
        if (hook[:5] == "hook=" and plugin[:7] == "plugin=" and function[:9] == "function="
                and params[:7] == "params=" and retval[:7] == "retval=" and msg[:4] == "msg="):
            params = params[7:]
            if params[:1] == '"':
                if len(params) < 2 or params[-1] != '"':
                    return fast_kv(text)      # a quoted params with spaces: the split misread it
                params = unquote(params)
            msg = msg[4:]
            if msg[:1] == '"':
                msg = "" if msg == '""' else unquote(msg)
            fields = {"hook": hook[5:], "plugin": plugin[7:], "function": function[9:], "params": params,
                      "retval": retval[7:], "msg": msg}
            if params[:1] == "<" and params[-1:] == ">":
                fields["address"] = params[1:-1]
            return fields
    return fast_kv(text)


def address_line(text: str, key: str) -> Fields:
    """`recipient <a@b> code=C msg=M sender=S` / `sender <a@b> code=C msg=M`; `key` names the address."""
    p = text.split(" ")
    n = len(p)
    if n >= 4:
        addr, code, msg = p[1], p[2], p[3]
        if addr[:1] == "<" and addr[-1:] == ">" and code[:5] == "code=" and msg[:4] == "msg=":
            if n == 4 and (msg[4:5] != '"' or msg[-1] == '"'):
                return {"code": code[5:], "msg": _value(msg[4:]), key: addr[1:-1]}
            if n == 5 and p[4][:7] == "sender=" and (msg[4:5] != '"' or (len(msg) > 5 and msg[-1] == '"')):
                return {"code": code[5:], "msg": _value(msg[4:]), "sender": p[4][7:], key: addr[1:-1]}
    lt = text.find("<")
    gt = text.find("> code=", lt)
    if gt == -1:
        gt = text.rfind(">")
    if lt == -1 or gt < lt:   # no bracketed address: take the word after the head
        word = text.partition(" ")[2].split(" ", 1)[0]
        address, start = (word[1:-1] if word[:1] == "<" and word[-1:] == ">" else word), len(text)
    else:
        address, start = text[lt + 1:gt], gt + 2
    fields = fast_kv(text[start:]) if start < len(text) else {}
    fields[key] = address
    return fields


def message_summary(text: str) -> Fields:
    """`mid=<..> size=N rcpts=A/T/R delay=S code=C msg=M` (the data_post summary line)."""
    p = text.split(" ", 5)
    if len(p) == 6:
        mid, size, rcpts, delay, code, msg = p
        if (mid[:4] == "mid=" and size[:5] == "size=" and rcpts[:6] == "rcpts=" and delay[:6] == "delay="
                and code[:5] == "code=" and msg[:4] == "msg=" and mid[4:5] != '"'):
            return {"mid": mid[4:], "size": size[5:], "rcpts": rcpts[6:], "delay": delay[6:], "code": code[5:],
                    "msg": _value(msg[4:])}
    return fast_kv(text)


def code_msg(text: str) -> Fields:
    """`code=C msg=M` (the queue summary line)."""
    code, _, msg = text.partition(" ")
    if code[:5] == "code=" and msg[:4] == "msg=" and (msg[4:5] != '"' or msg[-1] == '"'):
        return {"code": code[5:], "msg": _value(msg[4:])}
    return fast_kv(text)


def connect(text: str) -> Fields:
    """`ip=A port=P local_ip=B local_port=Q`."""
    p = text.split(" ")
    if len(p) == 4:
        ip, port, local_ip, local_port = p
        if ip[:3] == "ip=" and port[:5] == "port=" and local_ip[:9] == "local_ip=" and local_port[:11] == "local_port=":
            return {"ip": ip[3:], "port": port[5:], "local_ip": local_ip[9:], "local_port": local_port[11:]}
    return fast_kv(text)


def disconnect(text: str) -> Fields:
    """`ip=.. rdns=.. helo=.. relay=Y ... lr="550 text" time=S`: only `lr` holds spaces."""
    head, sep, tail = text.partition(" lr=")
    if sep and '"' not in head.replace('=""', "") and tail.count('"') in (0, 2):
        fields = {}
        for item in head.split(" "):
            key, eq, value = item.partition("=")
            if not eq:         # a token without `=`: not the usual shape
                return fast_kv(text)
            fields[key] = value
        for key in ("rdns", "helo"):
            if fields.get(key) == '""':
                fields[key] = ""
        lr, sep, time = tail.rpartition(" time=")
        if sep and " " not in time:
            fields["lr"] = _value(lr)
            fields["time"] = time
            return fields
    return fast_kv(text)

