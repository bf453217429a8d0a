"""The security app's data, one module per register (agencies, incidents, audits, …)."""

from guankao.security.models.agencies import Agency, Level
from guankao.security.models.audits import Audit, Finding
from guankao.security.models.duties import Duty, DutyInstance
from guankao.security.models.incidents import (
    ClockRule,
    Dimension,
    Escalation,
    FollowUp,
    Impact,
    ImpactRule,
    Incident,
    InfoKind,
)
from guankao.security.models.outages import Outage, Service
from guankao.security.models.soc import SocPoint, SocPointDay
from guankao.security.models.training import (
    Audience,
    ItStaff,
    TrainingKind,
    TrainingRecord,
    TrainingRequirement,
)

__all__ = [
    "Agency",
    "Level",
    "Audit",
    "ClockRule",
    "Dimension",
    "Escalation",
    "Finding",
    "FollowUp",
    "Impact",
    "ImpactRule",
    "Incident",
    "InfoKind",
    "Outage",
    "Service",
    "Audience",
    "Duty",
    "DutyInstance",
    "ItStaff",
    "SocPoint",
    "SocPointDay",
    "TrainingKind",
    "TrainingRecord",
    "TrainingRequirement",
]
