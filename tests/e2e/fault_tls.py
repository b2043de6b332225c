"""Throw-away TLS files for the fault corpus's tls scenarios, made with the openssl command.

make_tls_variants(tmp) -> {variant: {file name: PEM text}}:
  missing   no files at all (tls.ini names files that are not there)
  mismatch  tls_cert.pem is mx.example.com's certificate, tls_key.pem another key
  swapped   the two in the wrong order: tls_key.pem holds the certificate, tls_cert.pem the key
  dhparams  not a fault: a dhparams.pem, which Haraka would otherwise spend a long time making
(A single file holding the certificate first and the key after it is not a fault: node's
createSecureContext finds each block wherever it is.)
"""
from __future__ import annotations

import subprocess
from pathlib import Path


def _self_signed(tmp: Path, name: str, cn: str) -> tuple[str, str]:
    key, cert = tmp / f"{name}.key", tmp / f"{name}.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "3650", "-subj", f"/CN={cn}"],
                   check=True, capture_output=True, timeout=60)
    return key.read_text(), cert.read_text()


def make_tls_variants(tmp: Path) -> dict[str, dict[str, str]]:
    key, cert = _self_signed(tmp, "mx", "mx.example.com")
    other_key, _ = _self_signed(tmp, "other", "other.example.com")
    dh = tmp / "dhparams.pem"
    subprocess.run(["openssl", "dhparam", "-dsaparam", "-out", str(dh), "2048"],
                   check=True, capture_output=True, timeout=120)
    return {
        "dhparams": {"dhparams.pem": dh.read_text()},
        "missing": {},
        "mismatch": {"tls_key.pem": other_key, "tls_cert.pem": cert},
        "swapped": {"tls_key.pem": cert, "tls_cert.pem": key},
    }
