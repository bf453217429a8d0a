"""The security app's data, one module per register (agencies, incidents, audits, …)."""

from guankao.security.models.agencies import Agency, Level

__all__ = ["Agency", "Level"]
