"""The data model, one module per domain. Models import nothing above them."""
from .arrivals import Arrival, ProcessingTime
from .audit import AuditEntry
from .enums import Country, Outcome, Role, Status
from .integrations import ApiKey, WebhookDelivery, WebhookEndpoint
from .notices import Notice
from .notifications import Notification
from .organizations import EmployeeImport, Invitation
from .outbox import OutboxMessage
from .petitions import Decision, Document, Event, EvidenceItem, Petition
from .profiles import TravelerProfile
from .queue_checkpoints import QueueCheckpoint
from .reference import (
                        AdjudicationQueue,
                        Category,
                        Port,
                        ReasonCode,
                        RequiredDocument,
                        RoutingRule,
                        routing_version,
)
from .second_factor import RecoveryCode, SecondFactor
from .users import ApiToken, Organization, User

__all__ = [
    "AdjudicationQueue", "ApiKey", "ApiToken", "Arrival", "AuditEntry", "Category", "Country",
    "Decision", "Document", "EmployeeImport", "Event", "EvidenceItem", "Invitation", "Notice",
    "Notification", "Organization", "Outcome", "OutboxMessage", "Petition", "Port",
    "ProcessingTime", "QueueCheckpoint", "ReasonCode", "RecoveryCode",
    "SecondFactor",
    "RequiredDocument", "Role", "RoutingRule", "Status", "TravelerProfile", "User",
    "routing_version",
    "WebhookDelivery", "WebhookEndpoint",
]
