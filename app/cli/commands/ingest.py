"""`mxdoctor ingest` (index kb/ and the configured sources), `search`, and `sources`."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("ingest", help="index the knowledge base, upstream docs and your own sources")
    p.add_argument("--add-folder", metavar="DIR", help="add a folder of documents (e.g. a wiki export) as a source")
    p.add_argument("--url-base", metavar="URL", help="with --add-folder: link citations to URL/<page>")
    p.add_argument("--add-url", metavar="URL", action="append", default=[], help="add a web page as a source")
    p.add_argument("--kb-only", action="store_true", help="index only the built-in kb/ (offline, seconds)")
    p.add_argument("--offline", action="store_true", help="do not fetch npm packages or URLs")
    p.add_argument("--prune-empty", action="store_true",
                   help="also remove the documents of a source that suddenly yields nothing or far less (kept "
                        "otherwise: an unmounted share must not empty the index)")
    p.add_argument("--home", help="data directory (default: MXDOCTOR_HOME or the user data dir)")
    p.set_defaults(run=run_ingest)

    s = sub.add_parser("search", help="search the indexed knowledge")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=5)
    s.add_argument("--mode", choices=("hybrid", "lexical", "dense"), default="hybrid")
    s.add_argument("--source", action="append", default=None, help="only this source (repeatable)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.add_argument("--home")
    s.set_defaults(run=run_search)

    o = sub.add_parser("sources", help="list what is indexed")
    o.add_argument("--format", choices=("text", "json"), default="text")
    o.add_argument("--home")
    o.set_defaults(run=run_sources)


def run_ingest(args) -> int:
    from app.core.errors import InputError
    from ingest.home import data_home
    from ingest.sourcesfile import SourcesFileError, add_user_source, load_sources
    home = Path(args.home) if args.home else data_home()
    if args.url_base and not args.add_folder:
        raise InputError("--url-base only goes with --add-folder DIR")
    if args.add_folder and not Path(args.add_folder).is_dir():
        raise InputError("not a folder; nothing was added", file=args.add_folder)
    urls = _checked_urls(args.add_url)           # before the index modules: refused on a light install too
    from app.cli.progress import ProgressBar
    from ingest.integrity import IndexDamaged
    from ingest.pipeline import ingest
    try:
        if args.add_folder:
            spec = {"type": "folder", "path": str(Path(args.add_folder).resolve())}
            if args.url_base:
                spec["url_base"] = args.url_base
            print(f"added source {spec['path']} to {add_user_source(spec, home)}")
        for url in urls:
            print(f"added source {url} to {add_user_source({'type': 'url', 'url': url}, home)}")
        specs = load_sources(home, include_upstream=not args.kb_only)
    except SourcesFileError as exc:
        raise InputError(str(exc)) from None
    try:
        summary = ingest(specs, home=home, progress=ProgressBar("ingest"), offline=args.offline,
                         warn=lambda m: print(f"warning: {m}", file=sys.stderr), prune_empty=args.prune_empty)
    except IndexDamaged as exc:         # a Chroma server that cannot be read: the server's to repair
        print(f"mxdoctor: {exc}", file=sys.stderr)
        return 2
    print(summary.line())
    held = {h["source"]: h for h in summary.held}
    for name, n in summary.sources.items():
        kept = f" ({held[name]['missing']} missing documents kept: --prune-empty removes them)" if name in held else ""
        print(f"  {name}: {n} documents{kept}")
    return 0


def _checked_urls(urls: list[str]) -> list[str]:
    """Every --add-url, refused before anything is added when one is not http(s) or names an
    internal address (the same check the fetch makes at every hop)."""
    from app.core.errors import InputError
    from ingest.netguard import URLRefused, check_url_to_add
    from ingest.settings import settings
    allow = settings().allow_private_urls
    try:
        return [check_url_to_add(u, allow_private=allow) for u in urls]
    except URLRefused as exc:
        raise InputError(f"{exc}; nothing was added") from None


def run_search(args) -> int:
    from app.retrieval.index import IndexDamaged, get_index
    from app.retrieval.search import search
    try:
        index = get_index(Path(args.home) if args.home else None)
        if index.count() == 0:
            print("the index is empty: run 'mxdoctor ingest' first", file=sys.stderr)
            return 2
        passages = search(args.query, k=args.k, mode=args.mode, sources=args.source, index=index)
    except IndexDamaged as exc:
        print(f"mxdoctor: the index is damaged: {exc}. Run 'mxdoctor ingest' to rebuild it.", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps({"passages": [
            {k: v for k, v in p.to_dict().items() if k in ("rank", "score", "title", "text", "source", "url",
                                                            "heading", "doc_id")} for p in passages]},
            indent=2, ensure_ascii=False))
        return 0
    for p in passages:
        print(f"[{p.rank}] {p.title}" + (f" › {p.heading}" if p.heading and p.heading != p.title else ""))
        print(f"    {p.source} · {p.link}")
        print("    " + " ".join(p.text.split())[:300])
    if not passages:
        print("no passage matches")
    return 0


def run_sources(args) -> int:
    from ingest.home import data_home
    from ingest.manifest import Manifest
    home = Path(args.home) if args.home else data_home()
    m = Manifest.load(home / "manifest.json")
    by_source: dict[str, dict] = {}
    for entry in m.docs.values():
        s = by_source.setdefault(entry["source"], {"documents": 0, "chunks": 0})
        s["documents"] += 1
        s["chunks"] += len(entry.get("chunks", []))
    if args.format == "json":
        print(json.dumps({"embedding": m.embedding, "last_ingest": m.last_ingest, "sources": by_source},
                         indent=2))
        return 0
    if not by_source:
        print("nothing indexed yet: run 'mxdoctor ingest'")
        return 0
    import time
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(m.last_ingest)) if m.last_ingest else "never"
    print(f"embedding: {m.embedding} · last ingest: {when}")
    for name, s in sorted(by_source.items()):
        print(f"  {name:<28} {s['documents']:>5} documents {s['chunks']:>6} chunks")
    return 0
