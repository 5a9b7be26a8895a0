"""Every task the product publishes or schedules is named once (traveler_portal/tasks.py),
registered by ``workers`` on that queue, and consumed by some worker; the beat schedule
names only registered tasks, and the outbox publishes only registered names."""
import ast
from pathlib import Path

from traveler_portal import celery_app, tasks

ROOT = Path(__file__).resolve().parents[2]


def _worker_tasks():
    import workers  # noqa: PLC0415 - builds the Celery app of the workers
    for module in workers.app.conf.include:
        __import__(module)
    return {name: task for name, task in workers.app.tasks.items()
            if not name.startswith("celery.")}


def test_every_named_task_is_registered_by_the_workers_on_its_queue():
    registered = _worker_tasks()
    assert {t.name for t in tasks.ALL} == set(registered), "registry and workers differ"
    for spec in tasks.ALL:
        assert registered[spec.name].queue == spec.queue, spec.name
        assert spec.queue in celery_app.TASK_QUEUES


def test_every_queue_has_a_worker_and_the_schedule_names_registered_tasks(app):
    consumed = {q for queues in celery_app.WORKER_QUEUES.values() for q in queues}
    assert {t.queue for t in tasks.ALL} | set(celery_app.ROUTING_QUEUES) <= consumed
    schedule = app.extensions["celery"].conf.beat_schedule
    names = {t.name for t in tasks.ALL}
    assert {entry["task"] for entry in schedule.values()} <= names


def _enqueued_literals(root: Path) -> list[str]:
    """Task names written as string literals in an ``outbox.enqueue``/``publish_task``
    call anywhere in the package (they must come from the registry instead)."""
    found = []
    for path in (root / "traveler_portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
                    "enqueue", "publish_task") and node.args and \
                    isinstance(node.args[0], ast.Constant):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_the_outbox_publishes_names_from_the_registry(tmp_path):
    assert _enqueued_literals(ROOT) == []
    bad = tmp_path / "traveler_portal" / "domain"
    bad.mkdir(parents=True)
    (bad / "x.py").write_text('outbox.enqueue("made.up", [1], "notifications")\n')
    assert _enqueued_literals(tmp_path) != []  # the test of the test
