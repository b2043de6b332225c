"""Run one piece of work within a time and memory budget, in a worker process.

The app serves every browser from one process: a diagnosis that runs away on an input nobody
foresaw must not take the others down with it. So the work runs in a child forked from a small,
warm server process (multiprocessing's forkserver, the core preloaded: no UI or model threads are
forked), under an address-space limit; the caller waits at most `seconds`, then kills it. Either
way the caller gets the result, or a BudgetExceeded that says which limit was hit and how to
raise it. The child gets the caller's environment and working directory of the moment.
"""
from __future__ import annotations

import errno
import multiprocessing
import os
import pickle
import resource
import sys
from dataclasses import dataclass
from typing import Any, Callable

PRELOAD = ["__main__", "app.core.budget", "app.core.warm"]
MB = 1024 * 1024


@dataclass(frozen=True)
class Budget:
    seconds: float
    megabytes: int          # memory the work may add to the worker's own (Python and the core loaded)


class BudgetExceeded(Exception):
    """The work was stopped: `kind` is "time" or "memory"; the message says what to do."""

    def __init__(self, kind: str, budget: Budget, detail: str = ""):
        self.kind, self.budget = kind, budget
        self.limit = f"{budget.seconds:g} s" if kind == "time" else f"{budget.megabytes:,} MB"
        self.knob = "MXDOCTOR_DIAGNOSE_SECONDS" if kind == "time" else "MXDOCTOR_DIAGNOSE_MB"
        super().__init__(f"stopped: the work went over its {kind} budget of {self.limit}{detail}. Give less at "
                         f"once (the hours around the failure, the config files that matter), or raise {self.knob}.")


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space at what it maps now plus `megabytes` (where /proc tells
    what it maps, i.e. on Linux; elsewhere only the time budget holds)."""
    try:
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return
    cap = mapped + megabytes * MB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))


def _usage() -> dict[str, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": me.ru_utime + me.ru_stime, "peak_mb": me.ru_maxrss / 1024}


def _out_of_memory(exc: BaseException | None) -> bool:
    """Did the work fail for want of memory? C code that cannot allocate may raise SystemError
    ("error return without exception set") or OSError(ENOMEM) instead of MemoryError."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, (MemoryError, SystemError)) or getattr(exc, "errno", None) == errno.ENOMEM:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _portable(exc: Exception) -> Exception:
    """The exception itself when it survives pickling, else a RuntimeError that says what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:               # noqa: BLE001 - any reason it cannot travel
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _child(conn, fn: Callable, args: tuple, kwargs: dict, megabytes: int, env: dict, cwd: str) -> None:
    from ingest.settings import adopt_environment
    sys.unraisablehook = lambda _: None     # generators closed while memory runs out: not news
    adopt_environment(env)
    os.chdir(cwd)
    try:
        _limit_memory(megabytes)
        result = ("ok", fn(*args, **kwargs))
    except Exception as exc:        # noqa: BLE001 - handed to the caller, raised there
        result = ("memory", None) if _out_of_memory(exc) else ("error", _portable(exc))
    try:                            # streamed: neither side ever holds the whole pickle
        with os.fdopen(conn.fileno(), "wb", closefd=False) as fh:
            pickle.dump((*result, _usage()), fh, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        os._exit(3)                 # a cut stream: the caller reports the memory budget


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def run_within(budget: Budget, fn: Callable, *args: Any, usage: dict | None = None, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` in a worker under `budget`; its result (pickled back), or its exception
    raised here, or BudgetExceeded. `fn` must be importable by name (a module-level function).
    `usage`, when given, gets the worker's CPU seconds and peak memory."""
    from ingest.settings import environment
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, budget.megabytes, environment(),
                                             os.getcwd()), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(budget.seconds):
            raise BudgetExceeded("time", budget)
        try:
            with os.fdopen(parent.fileno(), "rb", closefd=False) as fh:
                status, value, used = pickle.load(fh)
        except (EOFError, pickle.UnpicklingError):  # cut short: out of memory (rlimit, the kernel) or a crash
            proc.join(1)
            raise BudgetExceeded("memory", budget, f" (the worker ended with code {proc.exitcode})") from None
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    if usage is not None:
        usage.update(used)
    if status == "memory":
        raise BudgetExceeded("memory", budget)
    if status == "error":
        raise value
    return value


def start() -> None:
    """Start the warm fork server now (it loads in the background), so the first diagnosis is quick."""
    from multiprocessing import forkserver
    _context()
    forkserver.ensure_running()
