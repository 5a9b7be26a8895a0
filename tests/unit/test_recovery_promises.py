"""Production's recovery delays keep the promises the fault tests (tests/faults) prove at a
smaller scale: those run every delay divided by stack.SCALE and hold their time bounds
to the same fraction, so the mechanism is theirs to prove and the figures are checked here."""
import pytest

from config import ProductionConfig, _per_queue
from tests.faults.stack import SCALE, environment, scaled, scaled_recovery

MINUTE = 60


def test_a_routing_message_lost_with_its_worker_is_published_again_within_a_minute():
    # The outbox re-drives an unconfirmed routing row once its delay has passed, at the
    # next sweep (test_worker_kill: "delays routing by less than a minute").
    redrive = ProductionConfig.OUTBOX_REDRIVE_SECONDS["routing"]
    assert redrive + ProductionConfig.OUTBOX_SWEEP_SECONDS < MINUTE
    assert ProductionConfig.BROKER_VISIBILITY_TIMEOUT < MINUTE


def test_a_worker_killed_while_it_looks_for_lost_messages_delays_no_one_past_the_timeout(app):
    # kombu looks for unacknowledged messages under a Redis lock; a worker killed while
    # holding it leaves it until it expires, and no worker looks meanwhile (kombu's own
    # default: 300 s). Expiring first, it delays no message past its visibility timeout,
    # in production and on the fault tests' stack (which keeps it, and halves the timeout).
    options = app.extensions["celery"].conf.broker_transport_options
    assert options["unacked_mutex_expire"] < ProductionConfig.BROKER_VISIBILITY_TIMEOUT
    assert options["unacked_mutex_expire"] < \
        scaled_recovery(ProductionConfig)["BROKER_VISIBILITY_TIMEOUT"]


def test_the_visibility_timeout_outlasts_every_task_the_broker_holds():
    visibility = ProductionConfig.BROKER_VISIBILITY_TIMEOUT
    assert visibility > ProductionConfig.BROKER_RETRY_MAX_SECONDS
    assert visibility >= ProductionConfig.SMTP_TIMEOUT
    assert visibility > ProductionConfig.WEBHOOK_TIMEOUT
    scaled_settings = scaled_recovery(ProductionConfig)
    assert scaled_settings["BROKER_VISIBILITY_TIMEOUT"] > \
        scaled_settings["BROKER_RETRY_MAX_SECONDS"]


def test_the_fault_tests_run_exactly_production_delays_divided_by_the_scale():
    settings = scaled_recovery(ProductionConfig)
    assert SCALE > 1 and scaled(MINUTE) == MINUTE / SCALE
    assert settings["OUTBOX_SWEEP_SECONDS"] * SCALE == \
        pytest.approx(ProductionConfig.OUTBOX_SWEEP_SECONDS)
    assert {queue: seconds * SCALE for queue, seconds in
            settings["OUTBOX_REDRIVE_SECONDS"].items()} == \
        pytest.approx(ProductionConfig.OUTBOX_REDRIVE_SECONDS)
    assert abs(settings["BROKER_VISIBILITY_TIMEOUT"] * SCALE
               - ProductionConfig.BROKER_VISIBILITY_TIMEOUT) < SCALE
    # What the fault stack's processes read back from their environment (config.py).
    env = environment(settings)
    assert _per_queue(env["OUTBOX_REDRIVE_SECONDS"]) == settings["OUTBOX_REDRIVE_SECONDS"]
    assert float(env["OUTBOX_SWEEP_SECONDS"]) == settings["OUTBOX_SWEEP_SECONDS"]
