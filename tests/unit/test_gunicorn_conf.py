"""gunicorn.conf.py's hooks, as gunicorn itself calls them."""
import gc
import runpy
from pathlib import Path

from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_a_loaded_web_worker_keeps_its_objects_out_of_full_collections():
    """Once the app is loaded, the worker freezes what it holds, so a full garbage
    collection no longer scans some 200,000 long-lived objects in the middle of a request
    (a 170-340 ms pause every few dozen requests: docs/scaling.md)."""
    cfg = Config()
    cfg.set("post_worker_init", runpy.run_path(str(CONF))["post_worker_init"])
    gc.unfreeze()
    try:
        cfg.post_worker_init(None)
        assert gc.get_freeze_count() > 10_000  # at least this test process's modules
    finally:
        gc.unfreeze()  # a test process keeps collecting as before
