"""A public case event's fan-out: the traveler's notification, the employer admins'
"immediate" people updates and the organization's webhook deliveries.

The transition only writes the event and, in the same transaction, one outbox row
(``announce``); a task on the notifications queue then writes the fan-out (``fan_out``).
Routing, claims and submissions thus commit without rendering emails or looking up
endpoints, and nothing is lost: the row commits with the event. The task is idempotent,
keyed on the event: it locks the event and does nothing if the traveler's notification of
it (always written, whether emailed or not) exists, so any number of copies of the
message write the fan-out once.
"""
import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from .. import i18n, tasks
from ..extensions import db
from ..models import Event, Notification, Petition
from . import integrations, notifications, outbox, people_updates, uow

FAN_OUT_TASK, QUEUE = tasks.FAN_OUT_EVENT.name, tasks.FAN_OUT_EVENT.queue
# What the emails and the webhook payload read of the petition, in the event's statement.
PETITION_LOADS = (joinedload(Petition.traveler, innerjoin=True),
                  joinedload(Petition.category, innerjoin=True),
                  joinedload(Petition.port, innerjoin=True))


def announce(event: Event) -> None:
    """Queue the fan-out of a public ``event`` in the caller's transaction (outbox). The
    language it was caused in goes with it: the people updates are written in it, as
    they were when written in the transition itself."""
    db.session.flush()  # the event's id is the message's argument and the fan-out's key
    outbox.enqueue(FAN_OUT_TASK, [event.id, i18n.current_language()], QUEUE)


def _done(event: Event, petition: Petition) -> bool:
    return db.session.scalar(sa.select(Notification.id).where(
        Notification.user_id == petition.traveler_id,
        Notification.dedup_key == f"event:{event.id}")) is not None


@uow.atomic
def fan_out(event_id: int, language: str = "en") -> bool:
    """Write the fan-out of one public event; False when there is nothing (left) to do.
    A copy running at the same time waits on the event's lock, then finds it done."""
    from . import workflow  # noqa: PLC0415 - workflow imports this module (a cycle)
    row = db.session.execute(sa.select(Event, Petition).join(
        Petition, Petition.id == Event.petition_id).options(*PETITION_LOADS).where(
        Event.id == event_id).with_for_update(of=Event)).first()
    if row is None or not row.Event.public or _done(row.Event, row.Petition):
        return False
    event, petition = row
    title = workflow.TRANSITIONS[event.action].title
    with force_locale(language):
        notifications.on_public_event(petition, event, title)  # the traveler's language
        people_updates.on_public_event(petition, event, str(title))
        integrations.on_public_event(petition, event, title)  # en and fr
    return True
