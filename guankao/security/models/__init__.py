"""The security app's data, one module per register (agencies, incidents, audits, …)."""

from guankao.security.models.agencies import Agency, Level

# seccore: incidents, audits, core systems and outages ------------------------------------
from guankao.security.models.audits import Audit, Finding  # noqa: E402

# secops: training hours, statutory duties, SOC monitoring points
from guankao.security.models.duties import Duty, DutyInstance
from guankao.security.models.incidents import (  # noqa: E402
    ClockRule,
    Dimension,
    Escalation,
    FollowUp,
    Impact,
    ImpactRule,
    Incident,
    InfoKind,
)
from guankao.security.models.outages import Outage, Service  # noqa: E402
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
    # seccore
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
    # secops
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
