"""Build the plugin catalog from a real Haraka install (`mxdoctor catalog build`).

Why: the hook list of every plugin, its priorities and Haraka's deprecated-name map must match the
Haraka an admin runs. We ask Haraka itself (harvest.js loads each plugin with plugins.js) and turn
its answer into the catalog format app.core.catalog reads. Roles and summaries are not generated: they
live in the hand-kept overlay files beside the generated catalog.
"""
from __future__ import annotations

import json
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from app.build.discover import PREFIX, HarakaLayout, locate, plugin_names
from app.build.probes import Probe, diff_hooks, probes_for
from app.core.errors import InputError
from ingest.settings import settings

HARVEST_JS = Path(__file__).with_name("harvest.js")
HARVEST_TIMEOUT_S = 900


MIN_NODE_MAJOR = 20   # Haraka 3.3.x: engines.node >= 20


def node_binary() -> str:
    """The node to run harvest.js with; InputError when there is none or it is too old for Haraka."""
    node = settings().node or shutil.which("node")
    if not node:
        raise InputError("node is not installed (or not on PATH): building the catalog loads each "
                         f"plugin with Haraka's own loader, which needs Node.js >= {MIN_NODE_MAJOR}")
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30,
                                 check=False).stdout.strip()
        major = int(version.lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        raise InputError(f"cannot run {node} --version") from None
    if major < MIN_NODE_MAJOR:
        raise InputError(f"node {version} is too old: Haraka needs Node.js >= {MIN_NODE_MAJOR}")
    return node


def harvest(layout: HarakaLayout, jobs: list[dict[str, Any]], settle_ms: int = 100) -> dict[str, Any]:
    """Run harvest.js for `jobs` ({name, instance}); returns its JSON (one result per job)."""
    cmd = [node_binary(), str(HARVEST_JS), "--haraka", str(layout.package_dir), "--stdin",
           "--settle-ms", str(settle_ms)]
    if layout.instance_dir is not None:
        cmd += ["--instance", str(layout.instance_dir)]
    try:
        proc = subprocess.run(cmd, input=json.dumps(jobs), capture_output=True, text=True,
                              timeout=HARVEST_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"harvesting plugins from Haraka took over {HARVEST_TIMEOUT_S}s") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise InputError("harvest.js failed: " + " | ".join(tail), file=str(layout.package_dir))
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise InputError("harvest.js printed no JSON", file=str(layout.package_dir)) from exc


def _plain(reg: dict) -> dict:
    return {"hook": reg["hook"], "method": reg["method"], "priority": int(reg["priority"])}


def _first_line(text: str | None) -> str | None:
    return text.strip().splitlines()[0] if text and text.strip() else None


def _write_probe_instance(root: Path, probe: Probe) -> Path:
    root.mkdir(parents=True)
    (root / "config").mkdir()
    for rel, text in probe.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{instance}", str(root)), encoding="utf-8")
        if text.startswith("#!"):
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return root


def _entry(result: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if result.get("package"):
        entry["package"] = result["package"]
    if result.get("version"):
        entry["version"] = result["version"]
    entry["source"] = "user" if result.get("location") == "instance" else "haraka"
    entry["hooks"] = [_plain(r) for r in result.get("hooks") or []]
    if result.get("late_hooks"):
        entry["late_hooks"] = [_plain(r) for r in result["late_hooks"]]
    if not result.get("loaded"):
        entry["load_error"] = _first_line(result.get("error")) or "did not load"
    return entry


def _result_name(requested: str, result: dict[str, Any], aliases: dict[str, str]) -> str:
    if result.get("loaded_as"):
        return result["loaded_as"]
    name = requested[len(PREFIX):] if requested.startswith(PREFIX) else requested
    return aliases.get(name, name)


def build_catalog(haraka_dir: Path, plugins: list[str] | None = None, *,
                  instance_dir: Path | None = None, probes: bool = True,
                  settle_ms: int = 100) -> dict[str, Any]:
    """The catalog dict (CONTEXT.md format) for the plugins of a real Haraka.

    `plugins=None` harvests every plugin the install can load (see discover.plugin_names).
    `instance_dir` is an install dir (`haraka -i`): its plugins/ and config are used, as
    `haraka -c DIR` would. Conditional hooks come from config probes run against default config.
    """
    layout = locate(Path(haraka_dir), instance_dir)
    names = plugin_names(layout) if plugins is None else list(dict.fromkeys(plugins))
    with tempfile.TemporaryDirectory(prefix="mxdoctor-probes-") as tmp:
        jobs: list[dict[str, Any]] = [{"name": n, "instance": None} for n in names]
        probe_jobs: list[tuple[str, Probe]] = []
        if probes:
            for name in names:
                for probe in probes_for(name.removeprefix(PREFIX)):
                    inst = _write_probe_instance(Path(tmp) / f"probe-{len(probe_jobs)}", probe)
                    probe_jobs.append((name, probe))
                    jobs.append({"name": name, "instance": str(inst)})
        raw = harvest(layout, jobs, settle_ms=settle_ms)
    aliases = dict(sorted((raw.get("deprecated") or {}).items()))
    results = raw.get("plugins") or []
    entries: dict[str, dict[str, Any]] = {}
    by_request: dict[str, dict[str, Any]] = {}
    for requested, result in zip(names, results[:len(names)]):
        by_request[requested] = result
        entries[_result_name(requested, result, aliases)] = _entry(result)
    _apply_probes(entries, by_request, probe_jobs, results[len(names):], aliases)
    return {
        "haraka_version": raw.get("haraka_version"),
        "aliases": aliases,
        "plugins": {name: _ordered(entries[name]) for name in sorted(entries)},
    }


def _apply_probes(entries: dict[str, dict], by_request: dict[str, dict],
                  probe_jobs: list[tuple[str, Probe]], probe_results: list[dict],
                  aliases: dict[str, str]) -> None:
    """Turn probe results into `conditional_hooks`. Probes only describe the stock plugin: a
    plugin overridden by the install dir's own plugins/ is left alone."""
    for (requested, probe), result in zip(probe_jobs, probe_results):
        base = by_request[requested]
        if base.get("location") == "instance":
            continue
        entry = entries[_result_name(requested, base, aliases)]
        probed = [_plain(r) for r in result.get("hooks") or []]
        if probe.baseline:
            if not base.get("loaded") and result.get("loaded"):
                entry["hooks"] = probed
                entry["requires"] = probe.when
                entry.pop("load_error", None)
                entry.setdefault("package", result.get("package"))
                entry.setdefault("version", result.get("version"))
            continue
        if not result.get("loaded"):
            continue
        changes = diff_hooks(entry["hooks"], probed, probe.when)
        if changes:
            entry.setdefault("conditional_hooks", []).extend(changes)


ENTRY_KEYS = ["package", "version", "source", "requires", "load_error", "hooks", "late_hooks",
              "conditional_hooks"]


def _ordered(entry: dict[str, Any]) -> dict[str, Any]:
    """Same key order for every entry, so regenerating gives a readable diff."""
    return {k: entry[k] for k in ENTRY_KEYS if entry.get(k) is not None}


HEADER = """\
# GENERATED FILE - do not edit by hand.
# The hooks each plugin registers, as real Haraka {version} reports them (each plugin loaded by
# Haraka's own plugins.js, one at a time, default config). Regenerate with:
#   mxdoctor catalog build --haraka /path/to/node_modules/Haraka --out kb/plugins/catalog.yaml
# conditional_hooks: what one changed setting adds/removes (config probes, app/build/probes.py).
# Roles, config files and summaries are hand-kept in overlay-roles.yaml; wildduck in overlay-wildduck.yaml.
"""


def render_catalog(catalog: dict[str, Any]) -> str:
    """Deterministic YAML: plugins sorted by name, hook entries one per line."""
    head = {"haraka_version": catalog.get("haraka_version"),
            "aliases": dict(sorted((catalog.get("aliases") or {}).items()))}
    plugins = {name: catalog["plugins"][name] for name in sorted(catalog.get("plugins") or {})}
    body = (yaml.safe_dump(head, sort_keys=False, default_flow_style=False, allow_unicode=True)
            + yaml.safe_dump({"plugins": plugins}, sort_keys=False, default_flow_style=None,
                             width=1000, allow_unicode=True))
    return HEADER.format(version=catalog.get("haraka_version") or "?") + body


def write_catalog(catalog: dict[str, Any], path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_catalog(catalog), encoding="utf-8")
