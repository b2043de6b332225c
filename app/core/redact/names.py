"""Which names hold secrets: config keys, env variables, JSON fields, headers, query parameters.

One list for every file kind, so `auth_pass` in smtp_forward.ini, `MONGO_INITDB_ROOT_PASSWORD`
in a compose file, `"apiKey"` in JSON, `X-Access-Token:` in a curl header and `?access_token=`
in a URL are recognised alike. Names that only *point at* a secret (`password_file`,
`tls.key_path`) or describe one (`password_min_length`) are not secrets.
"""
from __future__ import annotations

import functools
import re

# a word inside a name that makes its value a secret
SECRET_WORD = re.compile(
    r"pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|privkey|credentials?|"
    r"access[_-]?key|account[_-]?key|client[_-]?secret|bindpw|(?<![a-z])auth[_-]?(?:pass|key|code)|"
    r"(?:session|encryption|enc|signing|sign|hmac|master|aes|cipher|jwt|crypt|shared|license|app|srs|cookie|"
    r"dkim|totp|webhook|secret|root|admin|db|redis|mongo|smtp|imap|ldap)[_-]?(?:key|salt)$|^(?:salt|pepper)$|"
    r"(?<![a-z])pw(?![a-z])|sasl_passwd|x[_-]api[_-]key|signature|(?<![a-z])sig$|"
    r"passwort|mot_de_passe|contrase[nñ]a|wachtwoord|haslo|senha|parol", re.IGNORECASE)
# names with a secret word that are not secrets themselves
NOT_SECRET_NAME = re.compile(
    r"bypass|passive|passthr(?:ough|u)|compass|passenger|passed|passes|passport|tokeniz|_?(?:files?|paths?|dirs?|"
    r"urls?|uris?|endpoint|length|len|min|max|count|size|ttl|timeout|expiry|expires|expire|type|mode|methods?|"
    r"field|policy|enabled|enable|required|rounds|algo|algorithm|prompt|label|names?|ids?|header|hook|limit|chars?|"
    r"lifetime|version|regex|pattern|format|store|provider|helper|command|cmd|env|location|reset|change|changed|"
    r"strength|hint|scheme|prefix|suffix|bits|cache|hash_?alg|digest_?alg|encoding|charset|fields|reuse|"
    r"user(?:name)?|login|email)$", re.IGNORECASE)
# names whose value is a space separated directive rather than key=value (redis.conf, netrc, msmtprc)
DIRECTIVES = re.compile(r"(?i)^(requirepass|masterauth|password|passwd|passphrase|pass|secret|auth-pass|authpass|"
                        r"sasl-password|auth_password|tls_key_password)$")


# a cheap first look: a line without any of these (lower-cased) holds no secret-named key
HINTS = ("pass", "pwd", "secret", "token", "key", "cred", "auth", "pw", "salt", "pepper", "sig", "parol", "senha",
         "haslo", "contrase")


def has_hint(line: str) -> bool:
    low = line.lower()
    return any(h in low for h in HINTS)


@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """True when a key of this name holds a secret value."""
    n = name.strip().strip("\"'`").strip()
    if not n or len(n) > 80:
        return False
    last = re.split(r"[.\[\]/:]", n)[-1] or n
    last = re.sub(r"([a-z])([A-Z])", r"\1_\2", last)          # camelCase -> camel_Case
    return bool(SECRET_WORD.search(last)) and not NOT_SECRET_NAME.search(last)
