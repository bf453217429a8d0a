"""The security app's data, one module per register (agencies, incidents, audits, …)."""

from guankao.security.models.agencies import Agency, Level

# secops: training hours, statutory duties, SOC monitoring points
from guankao.security.models.duties import Duty, DutyInstance
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
