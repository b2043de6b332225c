"""Reading one big log file with several processes, with the same result as one pass.

Plain files are cut into byte regions at line ends (app.core.logs.regions): each worker counts its
region and tracks the connections that start in it; connections crossing a cut are handed back
and finished by the parent, which reads the regions' hand-overs in file order. Files that
cannot be cut (compressed, UTF-16, lone CR line ends), or where too much would be handed back
(no `connect` lines to see where connections start), are split by connection UUID instead
(app.core.logs.shard): every worker reads the whole file and handles its share of connections.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
from contextlib import contextmanager
from itertools import islice
from typing import Any, Iterable, Iterator

from app.core.logs.reader import LineReader, open_log
from app.core.logs.regions import RangeReader, Region, plan_regions
from app.core.logs.report import FileStats
from app.core.logs.summary import LogSummary
from ingest.textio import MAX_LINE

PARALLEL_MIN_BYTES = 32 * 1024 * 1024
MAX_WORKERS = 4


@contextmanager
def _no_cyclic_gc():
    """Parsing makes millions of short-lived objects without reference cycles; the cycle
    collector would only rescan the long-lived ones over and over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def batched(lines: Iterable[str], size: int = 4096) -> Iterator[list[str]]:
    it = iter(lines)
    while batch := list(islice(it, size)):
        yield batch


def _read_path(state: LogSummary, path: str, stats: FileStats, shard: tuple[int, int] | None = None) -> None:
    with open_log(path) as stream, _no_cyclic_gc():
        reader = LineReader(stream)
        state.read(path, reader.batches(), stats, shard)
        if shard is None or shard[0] == 0:
            stats.notes = list(reader.notes)


def _shard_worker(path: str, file_index: int, shard: tuple[int, int]) -> tuple[LogSummary, FileStats]:
    state = LogSummary()
    state.file_index = file_index
    stats = FileStats(name=path)
    _read_path(state, path, stats, shard)
    return state.close(), stats


def _read_sharded(state: LogSummary, path: str, stats: FileStats, workers: int) -> None:
    """Split one big file by connection across `workers` processes and merge their counts.

    Each worker closes its own connections at the end of the file, so a connection that runs on
    into the next file is counted in both (a single pass would join them).
    """
    try:
        pool = multiprocessing.get_context("fork").Pool(workers)
    except (OSError, ValueError):          # no processes to be had: do it in one pass
        _read_path(state, path, stats)
        return
    with pool:
        parts = pool.starmap(_shard_worker, [(path, state.file_index, (k, workers)) for k in range(workers)])
    for part, part_stats in parts:
        state.merge(part)
        lines = max(stats.lines, part_stats.lines)        # every worker read every line
        _add_stats(stats, part_stats)
        stats.lines = lines


def _add_stats(stats: FileStats, part: FileStats) -> None:
    stats.lines += part.lines
    stats.parsed += part.parsed
    stats.unparsed += part.unparsed
    stats.blank += part.blank
    stats.notes += part.notes
    for fmt, count in part.formats.items():
        stats.formats[fmt] = stats.formats.get(fmt, 0) + count


def _region_worker(path: str, file_index: int, region: Region, first: bool) -> dict[str, Any]:
    """Read one region of a file; connections it cannot finish are handed back, not guessed at."""
    state = LogSummary()
    state.file_index = file_index
    state.tracker.defer_unknown = not first
    stats = FileStats(name=path)
    with RangeReader(path, region.start, region.end) as stream, _no_cyclic_gc():
        reader = LineReader(stream, detect=first)
        state.read(path, reader.batches(), stats, first_line=region.first_line)
    tracker = state.tracker
    result = {"open": tracker.take_open(), "closed": tracker.closed_recently(), "deferred": tracker.deferred,
              "overflow": tracker.deferred_overflow, "info": tracker.saw_info(path), "stats": stats,
              "binary": reader.binary, "replaced": reader.replaced, "lines_cut": reader.lines_cut,
              "notes": [n for n in reader.notes if n.startswith("reading stopped")]}
    state.numbers["connections"] += tracker.connections
    state.tracker = None
    result["state"] = state
    return result


def _read_regions(state: LogSummary, path: str, stats: FileStats, regions: list[Region]) -> bool:
    """Read a big file as regions in parallel, then finish the connections that cross regions here.

    Every region is counted by one process; a connection is tracked where it starts (its
    `connect` line) and continued in this process across later regions, so the result is the
    same as one pass. False (nothing counted) when too much had to be deferred: the file is
    then better split by connection (`_read_sharded`).
    """
    try:
        pool = multiprocessing.get_context("fork").Pool(len(regions) - 1)
    except (OSError, ValueError):
        return False
    with pool:   # this process reads the first region meanwhile
        pending = pool.starmap_async(_region_worker, [(path, state.file_index, r, False) for r in regions[1:]])
        parts = [_region_worker(path, state.file_index, regions[0], True)] + pending.get()
    if any(p["overflow"] for p in parts):
        return False
    if parts[0]["binary"]:
        stats.notes.append("binary data, not a text log: skipped")
        return True
    tracker = state.tracker
    if any(p["info"] for p in parts):
        tracker.mark_info(path)
    for part in parts:
        state.merge(part["state"])
        for ev in part["deferred"]:
            done = tracker.feed_marked(ev)
            if done:
                for t in done:
                    state.absorb(t)
        tracker.adopt(part["open"])
        tracker.remember_closed(part["closed"])
        _add_stats(stats, part["stats"])
        stats.notes += part["notes"]
    replaced, cut = sum(p["replaced"] for p in parts), sum(p["lines_cut"] for p in parts)
    if replaced:
        stats.notes.append(f"{replaced} undecodable byte(s) replaced")
    if cut:
        stats.notes.append(f"{cut} line(s) longer than {MAX_LINE} characters were cut")
    return True


def default_workers(path: str) -> int:
    try:
        big = os.path.getsize(path) >= PARALLEL_MIN_BYTES
    except OSError:
        return 1
    if not big or "fork" not in _start_methods():
        return 1
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else (os.cpu_count() or 1)))


def _start_methods() -> list[str]:
    return multiprocessing.get_all_start_methods()



def read_file(summary: LogSummary, path: str, stats: FileStats, workers: int) -> None:
    """Count one file into `summary`, with `workers` processes when more than one."""
    if workers > 1:
        regions = plan_regions(path, workers)
        if regions is not None and _read_regions(summary, path, stats, regions):
            return
        _read_sharded(summary, path, stats, workers)
    else:
        _read_path(summary, path, stats)
