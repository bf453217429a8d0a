"""The metric registry: KPI sources that apps offer in their metrics.py.

A metric computes a KPI's value for one period from the records of an app, and can
list the records it counted, so every computed value can be traced back to rows.
Apps register at import time; `autodiscover()` imports each installed app's
`metrics` module, as Django's admin does with `admin` modules.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext


@dataclass(frozen=True)
class Period:
    year: int
    # The KPI's period within the year (1..12 monthly, 1..4 quarterly, 1 yearly) and how many.
    number: int
    per_year: int

    @property
    def name(self) -> str:
        """The period as people say it within the year: 3月, Q2, 全年."""
        if self.per_year == 12:
            return gettext("month %(n)d") % {"n": self.number}
        if self.per_year == 4:
            return gettext("Q%(n)d") % {"n": self.number}
        return gettext("the year")

    @property
    def months(self) -> tuple[int, int]:
        size = 12 // self.per_year
        return (self.number - 1) * size + 1, self.number * size


@dataclass(frozen=True)
class Record:
    kind: str
    id: str
    label: str
    url: str = ""


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    formula: str
    unit: str
    # (period, scope department or None) -> (value, numerator, denominator); None if no data.
    compute: Callable
    # (period, scope) -> the records counted, for tracing a value back to rows.
    records: Callable[..., Iterable[Record]]


_metrics: dict[str, Metric] = {}


def register(key: str, *, label, formula, unit: str = "", records) -> Callable:
    def decorator(compute):
        _metrics[key] = Metric(key, label, formula, unit, compute, records)
        return compute

    return decorator


def get(key: str) -> Metric | None:
    return _metrics.get(key)


def choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in sorted(_metrics.values(), key=lambda m: m.key)]


def autodiscover() -> None:
    autodiscover_modules("metrics")


def ratio(numerator: int, denominator: int) -> tuple[Decimal, Decimal, Decimal] | None:
    if not denominator:
        return None
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"))
    return value, Decimal(numerator), Decimal(denominator)
