"""The Celery application object, configured from the Flask config.

It lives in ``traveler_portal`` so the web side can publish tasks *by name* (the outbox
relay) without importing ``workers``; the task bodies live in ``workers``. Every task runs
inside a Flask app context (the pattern from Flask's own Celery docs).
"""
from datetime import timedelta

from celery import Celery, Task
from celery.schedules import crontab
from kombu import Exchange, Queue

from . import tasks
from .models.enums import Country

PERIODIC = tasks.OUTBOX_SWEEP.queue  # every beat task runs on the periodic queue

# Each country's petitions are routed from its own queue ("routing.US", "routing.CA"), so
# each agency runs and scales its own routing workers (`-Q routing.CA`) and a US backlog
# never delays Canada. "routing" stays for messages published before the split.
ROUTING_QUEUES = tuple(f"routing.{country.value}" for country in Country)
TASK_QUEUES = ("routing", "notifications", "periodic", "imports", "webhooks") + ROUTING_QUEUES
# Which worker consumes what (Procfile, Procfile.embedded, tests/live.py): webhook
# deliveries wait on employers' servers, so they get a worker of their own and can never
# hold up routing or an email.
WORKER_QUEUES = {"worker": ("routing", *ROUTING_QUEUES, "notifications", "periodic",
                            "imports"),
                 "webhooks": ("webhooks",)}

# How a worker takes and acknowledges its tasks (bench/noop.py runs the no-op ceiling under
# the same). A task is acknowledged only when it finishes, and a worker that dies mid-task
# gives it back: at-least-once, which the idempotent tasks make safe. One message reserved
# at a time: the worker that routes also runs imports, and a routing message must not wait
# behind one of those while another worker is idle.
WORKER_SETTINGS = {"task_acks_late": True, "task_reject_on_worker_lost": True,
                   "worker_prefetch_multiplier": 1}
# How long the lock kombu takes to look for unacknowledged messages lasts at most.
UNACKED_MUTEX_SECONDS = 10


def celery_init_app(app) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=app.config["CELERY_BROKER_URL"],
        task_serializer="json", accept_content=["json"], result_serializer="json",
        task_ignore_result=True,
        # Each queue on its own exchange and key: bound to one shared key, every message
        # would be copied into all of them.
        task_queues=[Queue(name, Exchange(name, type="direct"), routing_key=name)
                     for name in TASK_QUEUES],
        task_default_queue="routing",
        **WORKER_SETTINGS,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=app.config["BROKER_CONNECT_TIMEOUT"],
        broker_transport_options={
            # Unacknowledged messages (their worker died) return to the queue after this
            # long, looked for every 5 s: with the 30 s default a killed worker's tasks
            # run again within about 35 s. It must exceed the longest task plus any retry
            # countdown kept in the broker (config.py says which; longer waits stay in
            # the outbox row, see domain/outbox.py).
            "visibility_timeout": app.config["BROKER_VISIBILITY_TIMEOUT"],
            "unacked_restore_interval": 5, "unacked_restore_throttle": 1,
            # Each look holds a Redis lock (a scan of a few ms). kombu keeps it 300 s: a
            # worker killed while holding it stopped every worker's look for five minutes,
            # and the dead worker's messages with it. 10 s, shorter than the visibility
            # timeout, never delays a message beyond it.
            "unacked_mutex_expire": UNACKED_MUTEX_SECONDS,
            "socket_connect_timeout": app.config["BROKER_CONNECT_TIMEOUT"],
            "socket_timeout": 10,
            "max_retries": 0,
        },
        beat_schedule={
            "outbox-sweep": {"task": tasks.OUTBOX_SWEEP.name, "options": {"queue": PERIODIC},
                             "schedule": timedelta(seconds=app.config["OUTBOX_SWEEP_SECONDS"])},
            "redrive-stuck-submissions": {
                "task": tasks.REDRIVE_STUCK.name, "options": {"queue": PERIODIC},
                "schedule": timedelta(seconds=app.config["REDRIVE_SWEEP_SECONDS"])},
            "reminders": {"task": tasks.REMINDERS.name, "options": {"queue": PERIODIC},
                          "schedule": timedelta(seconds=app.config["REMINDER_SWEEP_SECONDS"])},
            "evidence-deadlines": {"task": tasks.EVIDENCE_DEADLINES.name,
                                   "options": {"queue": PERIODIC},
                                   "schedule": timedelta(minutes=15)},
            # Casework (workers/schedules.py): dates are whole days, so a few runs a day
            # would do; every 15 minutes keeps a deploy or outage from delaying a day.
            "deadline-breaches": {"task": tasks.ESCALATE_BREACHES.name,
                                  "options": {"queue": PERIODIC},
                                  "schedule": timedelta(
                                      seconds=app.config["CASEWORK_SWEEP_SECONDS"])},
            "resume-holds": {"task": tasks.RESUME_HOLDS.name, "options": {"queue": PERIODIC},
                             "schedule": timedelta(minutes=15)},
            "expire-approvals": {"task": tasks.EXPIRE_APPROVALS.name,
                                 "options": {"queue": PERIODIC},
                                 "schedule": timedelta(hours=1)},
            # Abandoned drafts and their files (domain/retention.py); daily is plenty for
            # a period counted in days.
            "purge-abandoned-drafts": {"task": tasks.PURGE_DRAFTS.name,
                                       "options": {"queue": PERIODIC},
                                       "schedule": crontab(minute=30, hour=3)},
            # The public processing times (domain/processing_times.py): figures over 12
            # weeks move slowly; hourly keeps them fresh without scanning per page view.
            "processing-times": {"task": tasks.PROCESSING_TIMES.name,
                                 "options": {"queue": PERIODIC},
                                 "schedule": timedelta(hours=1)},
            # The employer dashboard's counted figures (domain/organization_figures.py):
            # a link or unlink makes its organization's figure live until the next run.
            "organization-figures": {"task": tasks.ORGANIZATION_FIGURES.name,
                                     "options": {"queue": PERIODIC},
                                     "schedule": timedelta(minutes=10)},
            # The queues' checkpoints (domain/queue_ranks.py): a list's places in a queue
            # count from them, so they miss at most a minute of claims and arrivals.
            "queue-checkpoints": {"task": tasks.QUEUE_CHECKPOINTS.name,
                                  "options": {"queue": PERIODIC},
                                  "schedule": timedelta(minutes=1)},
            # Mondays 07:00 UTC; a second run in the same ISO week sends nothing new.
            "employer-weekly-digest": {"task": tasks.WEEKLY_DIGEST.name,
                                       "options": {"queue": PERIODIC},
                                       "schedule": crontab(minute=0, hour=7, day_of_week=1)},
            # Daily 06:00 UTC: yesterday's changes for admins who chose a daily summary.
            "employer-daily-people-updates": {"task": tasks.DAILY_PEOPLE_UPDATES.name,
                                              "options": {"queue": PERIODIC},
                                              "schedule": crontab(minute=0, hour=6)},
        },
        worker_hijack_root_logger=False,
        beat_schedule_filename=app.config["CELERY_BEAT_SCHEDULE_FILE"],
    )
    app.extensions["celery"] = celery
    return celery
