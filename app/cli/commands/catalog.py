"""`mxdoctor catalog build|shapes|universe|releases|show`: generate the plugin catalog from real Haraka, or look in it."""
from __future__ import annotations

import argparse
import difflib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.core.errors import InputError


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("catalog", help="build or show the plugin catalog",
                                   description="Build the plugin catalog from a real Haraka "
                                   "install, or show what the catalog knows.")
    sub = parser.add_subparsers(dest="catalog_command", metavar="ACTION")

    build = sub.add_parser("build", help="harvest every plugin of a Haraka install (needs node)")
    build.add_argument("--haraka", required=True, metavar="DIR",
                       help="the Haraka npm package, or a dir holding node_modules/Haraka")
    build.add_argument("--instance", metavar="DIR",
                       help="a Haraka install dir (haraka -i DIR): its plugins/ and config count")
    build.add_argument("--plugin", action="append", metavar="NAME", dest="plugins",
                       help="only this plugin (repeatable); default: every plugin found")
    build.add_argument("--no-probes", action="store_true",
                       help="skip the config probes that find conditional hooks (faster)")
    build.add_argument("--out", metavar="FILE", help="write the catalog YAML here")
    build.set_defaults(run=run_build)

    shapes = sub.add_parser("shapes", help="record the sections and keys of every shipped config file")
    shapes.add_argument("--haraka", required=True, metavar="DIR",
                        help="the Haraka npm package, or a dir holding node_modules/Haraka")
    shapes.add_argument("--plugin-dir", action="append", default=[], metavar="DIR",
                        help="a plugin package not under node_modules (e.g. haraka-plugin-wildduck); repeatable")
    shapes.add_argument("--wildduck", metavar="DIR", help="a WildDuck checkout (its config/*.toml)")
    shapes.add_argument("--out", metavar="FILE", help="write the shapes YAML here")
    shapes.set_defaults(run=run_shapes)

    universe = sub.add_parser("universe", help="list the npm plugin packages Haraka could load (asks npm)",
                              description="Gather haraka-plugin-* and @scope/haraka-plugin-* names from the "
                              "current file, the catalog, Haraka packages, package lists and name files, confirm "
                              "each with `npm view`, and write kb/plugins/universe.yaml. When npm cannot be "
                              "reached the current file is kept.")
    universe.add_argument("--out", metavar="FILE", help="the universe file (default: kb/plugins/universe.yaml)")
    universe.add_argument("--haraka", action="append", default=[], metavar="DIR",
                          help="a Haraka package whose docs and package.json name plugins (repeatable)")
    universe.add_argument("--package-list", action="append", metavar="FILE", dest="package_lists",
                          help="a name<TAB>version list of npm packages (repeatable; default: "
                          "/usr/share/package-lists/npm.tsv when it exists)")
    universe.add_argument("--names", action="append", default=[], metavar="FILE",
                          help="any text file naming plugin packages, e.g. found in public repositories (repeatable)")
    universe.add_argument("--ask", action="append", metavar="NAME",
                          help="ask npm only about this package (repeatable); default: every name found")
    universe.add_argument("--offline", action="store_true", help="ask npm nothing: package lists and the current file only")
    universe.add_argument("--jobs", type=int, default=4, help="npm lookups at a time (default 4)")
    universe.set_defaults(run=run_universe)

    rel = sub.add_parser("releases", help="record each Haraka release's bundled plugins and deprecated names "
                         "(asks npm; needs node)",
                         description="For every Haraka release from 2.8.0 to 3.3.4, read the plugins it ships "
                         "under plugins/ and plugins.js's deprecated-name map, and write kb/plugins/releases.yaml.")
    rel.add_argument("--out", metavar="FILE", help="the releases file (default: kb/plugins/releases.yaml)")
    rel.add_argument("--version", action="append", metavar="X.Y.Z", dest="versions",
                     help="only this release (repeatable); default: every release from 2.8.0 to 3.3.4")
    rel.set_defaults(run=run_releases)

    show = sub.add_parser("show", help="show one plugin, or list them all")
    show.add_argument("plugin", nargs="?", help="plugin name (prefix and deprecated names work)")
    show.add_argument("--catalog", action="append", metavar="PATH",
                      help="extra catalog file or dir merged over the shipped one (repeatable)")
    show.add_argument("--format", choices=["text", "json"], default="text")
    show.set_defaults(run=run_show)

    parser.set_defaults(run=lambda args: (parser.print_help(), 2)[1])


def run(args: argparse.Namespace) -> int:
    return args.run(args)


# --------------------------------------------------------------------------- build

def run_build(args: argparse.Namespace) -> int:
    from app.build import build_catalog, write_catalog

    catalog = build_catalog(Path(args.haraka), args.plugins,
                            instance_dir=Path(args.instance) if args.instance else None,
                            probes=not args.no_probes)
    if args.out:
        write_catalog(catalog, Path(args.out))
    print(build_summary(catalog, args.out))
    return 0


def run_shapes(args: argparse.Namespace) -> int:
    import yaml

    from app.build.discover import locate
    from app.build.shapes import build_shapes, write_shapes
    layout = locate(Path(args.haraka))
    modules = layout.package_dir.parent
    plugin_dirs = sorted(p for p in modules.glob("haraka-plugin-*") if p.is_dir())
    plugin_dirs += sorted(modules.glob("@*/haraka-plugin-*")) + [Path(d) for d in args.plugin_dir]
    shapes = build_shapes(layout.package_dir, plugin_dirs, Path(args.wildduck) if args.wildduck else None)
    sources = [f"Haraka ({layout.package_dir})", f"{len(plugin_dirs)} plugin packages"] + \
        (["WildDuck"] if args.wildduck else [])
    if args.out:
        write_shapes(shapes, Path(args.out), sources)
    else:
        print(yaml.safe_dump(shapes, sort_keys=False))
    print(f"{len(shapes['files'])} config file shapes from " + ", ".join(sources))
    return 0


def run_universe(args: argparse.Namespace) -> int:
    from app.build.universe import DEFAULT_PACKAGE_LIST, UniverseSources, refresh_universe
    from app.core.universe import universe_path
    from ingest.kbdata import kb_path

    lists = args.package_lists if args.package_lists is not None else \
        ([str(DEFAULT_PACKAGE_LIST)] if DEFAULT_PACKAGE_LIST.is_file() else [])
    src = UniverseSources(out=Path(args.out) if args.out else universe_path(),
                          catalog=kb_path("plugins", "catalog.yaml"), haraka=[Path(d) for d in args.haraka],
                          package_lists=[Path(p) for p in lists], names=[Path(p) for p in args.names])
    _, message = refresh_universe(src, universe_command(args, lists), ask=args.ask, offline=args.offline,
                                  jobs=args.jobs)
    print(message)
    return 0


def run_releases(args: argparse.Namespace) -> int:
    from app.build.releases import build_releases, summary
    from ingest.home import cache_home
    from ingest.kbdata import kb_path

    out = Path(args.out) if args.out else kb_path("plugins", "releases.yaml")
    written, doc = build_releases(out, cache_home() / "build-tools", args.versions, progress=print)
    print(summary(doc, written))
    return 0


def universe_command(args: argparse.Namespace, lists: list[str]) -> str:
    """The command line that made the file, for its header (home shown as ~)."""
    parts = ["mxdoctor catalog universe"]
    parts += [f"--haraka {d}" for d in args.haraka] + [f"--package-list {p}" for p in lists]
    parts += [f"--names {p}" for p in args.names] + [f"--ask {n}" for n in args.ask or []]
    parts += ["--offline"] if args.offline else []
    parts += [f"--out {args.out}"] if args.out else []
    return " ".join(parts).replace(str(Path.home()), "~")


def build_summary(catalog: dict[str, Any], out: str | None) -> str:
    plugins = catalog.get("plugins") or {}
    failed = {n: p["load_error"] for n, p in plugins.items() if p.get("load_error")}
    silent = [n for n, p in plugins.items() if not p.get("hooks") and n not in failed]
    conditional = [n for n, p in plugins.items() if p.get("conditional_hooks")]
    lines = [f"Haraka {catalog.get('haraka_version')}: {len(plugins)} plugins, "
             f"{sum(len(p.get('hooks') or []) for p in plugins.values())} hook registrations, "
             f"{len(catalog.get('aliases') or {})} deprecated names"]
    if conditional:
        lines.append(f"conditional hooks found for {len(conditional)}: {', '.join(conditional)}")
    if silent:
        lines.append(f"registered nothing under default config: {', '.join(silent)}")
    for name, err in failed.items():
        lines.append(f"failed to load: {name}: {err}")
    if out:
        lines.append(f"wrote {out}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- show

def run_show(args: argparse.Namespace) -> int:
    from app.core.catalog import load_catalog

    catalog = load_catalog(args.catalog)
    if not args.plugin:
        rows = [_info_dict(info) for _, info in sorted(catalog.plugins.items())]
        if args.format == "json":
            print(json.dumps({"haraka_version": catalog.haraka_version, "aliases": catalog.aliases,
                              "plugins": rows}, indent=2))
        else:
            width = max((len(r["name"]) for r in rows), default=10)
            for r in rows:
                hooks = sorted({h["hook"] for h in r["hooks"]})
                print(f"{r['name']:<{width}}  {','.join(r['roles']) or '-':<28} {' '.join(hooks)}")
        return 0
    info = catalog.get(args.plugin)
    if info is None:
        close = difflib.get_close_matches(args.plugin, list(catalog.plugins) + list(catalog.aliases), n=3)
        hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        raise InputError(f"the catalog does not know plugin {args.plugin!r}{hint}")
    data = _info_dict(info)
    resolved = catalog.resolve(args.plugin)
    if resolved != args.plugin:
        data["requested_as"] = args.plugin
    if args.format == "json":
        print(json.dumps(data, indent=2))
    else:
        print(render_plugin(data))
    return 0


def _info_dict(info) -> dict[str, Any]:
    return asdict(info)


def render_plugin(data: dict[str, Any]) -> str:
    lines = [data["name"] + (f"  (config/plugins says {data['requested_as']!r})"
                             if data.get("requested_as") else "")]
    if data.get("summary"):
        lines.append(f"  {data['summary']}")
    pkg = " ".join(x for x in (data.get("package"), data.get("version")) if x)
    lines.append(f"  package: {pkg or '-'}   source: {data.get('source')}")
    lines.append(f"  roles: {', '.join(data.get('roles') or []) or '-'}")
    lines.append(f"  config files: {', '.join(data.get('config_files') or []) or '-'}")
    if data.get("hooks"):
        lines.append("  hooks (registration order):")
        for h in data["hooks"]:
            prio = f"  priority {h['priority']}" if h["priority"] else ""
            lines.append(f"    {h['hook']:<22} {h['method']}{prio}")
    else:
        lines.append("  hooks: none under default config")
    return "\n".join(lines)
