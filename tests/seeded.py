"""Rows a migration seeds, put back where a transactional test before has flushed them
(a live server's test, or one that checks locking, empties every table when it ends)."""

import importlib


def lag_categories() -> None:
    from guankao.tracking.models import LagCategory

    if LagCategory.objects.exists():
        return
    seeded = importlib.import_module(
        "guankao.tracking.migrations.0002_baselines_reasons_milestones"
    )
    LagCategory.objects.bulk_create(
        LagCategory(code=code, name=name, order=order)
        for order, (code, name) in enumerate(seeded.CATEGORIES, 1)
    )
