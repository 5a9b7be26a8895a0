"""The data model, one module per domain. Models import nothing above them."""
from .enums import Country, Outcome, Role, Status
from .notifications import Notification
from .outbox import OutboxMessage
from .petitions import Decision, Document, Event, Petition
from .reference import (AdjudicationQueue, Category, Port, ReasonCode, RequiredDocument,
                        RoutingRule)
from .users import ApiToken, Organization, User

__all__ = [
    "AdjudicationQueue", "ApiToken", "Category", "Country", "Decision", "Document", "Event",
    "Notification", "Organization", "Outcome", "OutboxMessage", "Petition", "Port", "ReasonCode",
    "RequiredDocument", "Role", "RoutingRule", "Status", "User",
]
