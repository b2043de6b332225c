"""Dependencies point one way: app → ingest → kb data. Nothing imports the CLI or the UI."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def test_ingest_never_imports_app():
    bad = {(str(p.relative_to(ROOT)), m) for p in (ROOT / "ingest").rglob("*.py")
           for m in imports(p) if m == "app" or m.startswith("app.")}
    assert not bad, sorted(bad)


def test_nothing_imports_the_cli_or_the_ui():
    allowed = {ROOT / "app" / "cli.py"}
    bad = set()
    for p in (ROOT / "app").rglob("*.py"):
        if p in allowed or "commands" in p.parts or "ui" in p.parts:
            continue
        for m in imports(p):
            if m.startswith(("app.ui", "app.commands", "app.cli")):
                bad.add((str(p.relative_to(ROOT)), m))
    assert not bad, sorted(bad)
