"""The audit trail's actions in words (the stored code stays beside them, for searches and
the CSV)."""
from flask_babel import lazy_gettext as _l

ACTION_WORDS = {
    "case.view": _l("Opened the case"),
    "case.claim": _l("Claimed the case"),
    "case.release": _l("Released the case to its queue"),
    "case.unclaim": _l("Took the case back from its officer"),
    "case.reassign": _l("Reassigned the case"),
    "case.refer": _l("Referred the case to another queue"),
    "case.hold": _l("Put the case on hold"),
    "case.note": _l("Added an internal note"),
    "case.checklist": _l("Saved the checklist"),
    "case.deadline_breach": _l("Case passed its due date"),
    "document.view": _l("Opened a document"),
    "decision.approved": _l("Approved the petition"),
    "decision.denied": _l("Denied the petition (for a supervisor to confirm)"),
    "decision.evidence_requested": _l("Requested evidence"),
    "denial.approve": _l("Confirmed a denial"),
    "denial.return": _l("Returned a denial to its officer"),
    "rule.create": _l("Created a routing rule"),
    "rule.update": _l("Changed a routing rule"),
    "rule.retire": _l("Retired a routing rule"),
    "queue.create": _l("Created a queue"),
    "queue.update": _l("Changed a queue"),
}


def words(action: str) -> str:
    return str(ACTION_WORDS.get(action, action))
