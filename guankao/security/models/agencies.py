"""Agencies under the Cyber Security Management Act and their responsibility levels.

An agency (機關) is a department of the tree that answers for its own security: the city
government itself and its 所屬機關 (and schools, if the city lists them). Everything below
an agency in the tree, down to the next agency, belongs to it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    # 資通安全責任等級分級辦法: A is the highest responsibility, E the lowest.
    A = "A", _("Level A")
    B = "B", _("Level B")
    C = "C", _("Level C")
    D = "D", _("Level D")
    E = "E", _("Level E")


class Agency(models.Model):
    department = models.OneToOneField(
        "core.Department",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="security_agency",
    )
    level = models.CharField(_("responsibility level"), max_length=1, choices=Level.choices)
    # The level's legal basis as the competent authority approved it (核定文號), for the record.
    approved_ref = models.CharField(_("approval reference"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["department__path"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.department.name
