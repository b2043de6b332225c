"""`mxdoctor check PATH... [--logs FILE...]`: findings with verified fixes, in four formats."""
from __future__ import annotations

import sys

from app.cli.options import add_haraka_version
from app.core.report import FORMATS, render

FAIL_ON = {"error": ("error",), "warning": ("error", "warning"), "never": ()}


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="run the deterministic checks on config files and logs")
    p.add_argument("paths", nargs="*", help="Haraka dir, config dir, or files ('-' reads a paste from stdin)")
    p.add_argument("--logs", nargs="+", default=[], metavar="FILE", help="Haraka / WildDuck log files")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--fail-on", choices=tuple(FAIL_ON), default="error")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the findings, verdict and labels (technical names stay as written)")
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule folder")
    p.add_argument("--rcpt", action="append", default=[], help="recipient to simulate (repeatable)")
    p.add_argument("--no-fix", action="store_true", help="skip fix verification (faster)")
    p.add_argument("--fixed-out", metavar="DIR", help="write every file changed by the verified fixes, applied "
                                                     "together, under DIR (config/plugins -> DIR/config/plugins)")
    add_haraka_version(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from app.core.diagnose import diagnose
    from app.core.errors import InputError
    paths = [p for p in args.paths if p != "-"]
    paste = sys.stdin.buffer.read() if "-" in args.paths else None
    if not paths and paste is None and not args.logs:
        raise InputError("nothing to check: give a Haraka directory, config files, '-' for stdin, or --logs")
    d = diagnose(paths or None, paste=paste, log_paths=args.logs, rule_dirs=args.rules,
                 envelope={"rcpt": args.rcpt} if args.rcpt else None, verify_fixes=not args.no_fix,
                 haraka_version=args.haraka_version)
    sys.stdout.write(render(d, args.format, color=args.format == "text" and sys.stdout.isatty(), lang=args.lang,
                            fixed_out=args.fixed_out))
    if args.fixed_out:
        write_fixed(d, args.fixed_out)
    return 1 if any(f.severity in FAIL_ON[args.fail_on] for f in d.findings) else 0


def write_fixed(d, out_dir: str) -> None:
    """The combined fixed files under `out_dir`, at their names (never outside it)."""
    from pathlib import Path

    from app.core.errors import InputError
    if d.fixed is None or not d.fixed.files:
        print("no verified fix to write", file=sys.stderr)
        return
    root = Path(out_dir).resolve()
    for name, text in d.fixed.files.items():
        target = (root / name).resolve()
        if root not in target.parents:
            raise InputError("refusing to write outside the output directory", file=name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"wrote the fixed files ({', '.join(sorted(d.fixed.files))}; fixes {', '.join(d.fixed.applied)}) "
          f"under {root}", file=sys.stderr)
