from django.utils.translation import gettext_lazy as _

from guankao.core.nav import fills_in, register, works_to_deadlines


def register_plans() -> None:
    register("scorecard", _("Scorecard"), "scorecard", order=10, visible=lambda u: True)
    register("plans", _("Plans and KPIs"), "plans", order=11)
    register("my_updates", _("My updates"), "my_updates", order=12, visible=fills_in)
    register("rounds", _("Annual plan round"), "rounds", order=13, visible=works_to_deadlines)
