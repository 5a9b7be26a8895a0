"""gunicorn reads ./gunicorn.conf.py by itself. The production settings are checked once,
in the master before any worker forks, so a missing one is ONE line and gunicorn stops
(otherwise every worker would print it while booting)."""
import contextlib
import gc
import sys


def on_starting(server):
    from config import MissingSetting, check_production  # noqa: PLC0415 - the app's config

    try:
        check_production()
    except MissingSetting as missing:
        print(missing.line, file=sys.stderr, flush=True)
        raise


# glibc gives each thread that allocates its own malloc arena (up to 8 per core), and a
# worker's 4 threads then hold 4-5 heaps, each keeping the memory its peak needed: the
# worker grew by tens of MB with the pages served. Two arenas keep the threads from
# contending much and the heaps few (bench/ratios.py: peak RSS of a web worker).
M_ARENA_MAX = -8  # mallopt's parameter number (glibc malloc.h)


def post_fork(server, worker):
    import ctypes  # noqa: PLC0415 - only in a forked worker
    import ctypes.util  # noqa: PLC0415 - with ctypes

    libc = ctypes.util.find_library("c")
    if libc:  # glibc only; elsewhere (musl, macOS) there is nothing to tune
        with contextlib.suppress(AttributeError):  # a libc without mallopt
            ctypes.CDLL(libc).mallopt(M_ARENA_MAX, 2)


def post_worker_init(worker):
    """The application is loaded: keep its objects out of Python's full garbage
    collections. A worker holds 200,000-270,000 objects once the app is imported (modules,
    SQLAlchemy's mappers, Jinja, Babel) for as long as it lives, and the collector scanned
    every one in each full collection, which a busy worker runs every few dozen requests:
    a 170-340 ms pause on the bench machine for whichever request ran then, at any data
    size (a page's p95 over 20 requests was one such pause or not: issue 16, see
    docs/scaling.md). Frozen, they are no longer scanned: a full collection costs 6-9 ms.
    What is frozen is never freed, hence once, here, never per request."""
    gc.collect()
    gc.freeze()
