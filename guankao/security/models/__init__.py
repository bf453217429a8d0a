"""The security app's data, one module per register (agencies, incidents, audits, …)."""

from guankao.security.models.agencies import Agency, Level

# seccore: incidents, audits, core systems and outages ------------------------------------
from guankao.security.models.audits import Audit, Finding  # noqa: E402
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

# end seccore -------------------------------------------------------------------------------

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
]
