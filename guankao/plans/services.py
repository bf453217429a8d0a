"""Every write to plans, goals, KPIs, targets and measurements. Checked and audited."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import attachments, audit, validation
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.models import AuditEntry
from guankao.lib import roc
from guankao.lib.roc import roc_year
from guankao.lib.targets import TargetError, parse_target
from guankao.plans import access, cache, notices, registry
from guankao.plans.models import (
    KPI,
    Accumulation,
    Direction,
    Frequency,
    Goal,
    Measurement,
    Path,
    Plan,
    Target,
)

A = AuditEntry.Action
PLAN_FIELDS = ["title", "kind", "first_year", "last_year", "status", "key_projects", "department"]
GOAL_FIELDS = ["number", "title", "order"]
KPI_FIELDS = [
    "number",
    "name",
    "measure",
    "unit",
    "direction",
    "accumulation",
    "frequency",
    "path",
    "on_track_from",
    "at_risk_from",
    "metric_key",
    "over_100",
    "order",
]
MAX_VALUE = Decimal("1e13")


def _choice(field: str, value, choices) -> str:
    if value not in choices.values:
        raise ServiceError.field(
            field, _("must be one of: %(v)s") % {"v": ", ".join(choices.values)}
        )
    return value


def _year(field: str, value) -> int:
    if not roc.is_year(value):
        raise ServiceError.field(field, roc.year_range_message())
    return value


def decimal_value(field: str, value) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ServiceError.field(field, _("must be a number, such as 12 or 85.5")) from None
    if not number.is_finite() or abs(number) >= MAX_VALUE:
        raise ServiceError.field(field, _("must be a finite number below 10^13"))
    if number != number.quantize(Decimal("0.0001")):
        raise ServiceError.field(field, _("has more than 4 decimal places"))
    return number


def _only(data: dict, allowed) -> None:
    """Refuse fields a service does not change, rather than drop them silently."""
    for field in data:
        if field not in allowed:
            raise ServiceError.field(field, _("cannot be changed here"))


def _record(actor, action, obj, before: dict, after: dict, department, note=""):
    """Audit a change to plans data, and mark the data changed for cached scorecards."""
    changes = audit.diff(before, after)
    if changes or action != A.UPDATE:
        cache.touch()
        audit.record(
            actor=actor, action=action, obj=obj, changes=changes, department=department, note=note
        )


# Plans, goals, KPIs, targets -------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor,
    department,
    kind: str,
    title: str,
    first_year: int,
    last_year: int,
    key_projects: str = "",
) -> Plan:
    plan = Plan(department=department, kind=_choice("kind", kind, Plan.Kind))
    validation.require(access.can_edit_plan(actor, plan))
    if department is None:  # an officer who belongs to no department, on the plans page
        raise ServiceError.field("department", _("is required"))
    plan.title = validation.text("title", title, 200)
    plan.first_year, plan.last_year = _year("first_year", first_year), _year("last_year", last_year)
    if plan.last_year < plan.first_year:
        raise ServiceError.field("last_year", _("must not be before the first year"))
    if plan.last_year - plan.first_year > 9:
        raise ServiceError.field("last_year", _("a plan covers at most 10 years"))
    plan.key_projects = validation.text("key_projects", key_projects, 5000, required=False)
    plan.save()
    _record(actor, A.CREATE, plan, {}, audit.snapshot(plan, PLAN_FIELDS), department)
    return plan


@transaction.atomic
def plan_update(*, actor, plan: Plan, **data) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    validation.require(access.can_edit_plan(actor, plan))
    _only(data, ("title", "key_projects"))
    before = audit.snapshot(plan, PLAN_FIELDS)
    if "title" in data:
        plan.title = validation.text("title", data["title"], 200)
    if "key_projects" in data:
        plan.key_projects = validation.text(
            "key_projects", data["key_projects"], 5000, required=False
        )
    plan.save()
    _record(actor, A.UPDATE, plan, before, audit.snapshot(plan, PLAN_FIELDS), plan.department)
    return plan


@transaction.atomic
def goal_create(*, actor, plan: Plan, number: str, title: str, order: int = 0) -> Goal:
    validation.require(access.can_edit_plan(actor, plan))
    goal = Goal.objects.create(
        plan=plan,
        number=validation.text("number", number, 10),
        title=validation.text("title", title, 300),
        order=_order(order),
    )
    _record(
        actor, A.CREATE, goal, {}, {"number": goal.number, "title": goal.title}, plan.department
    )
    return goal


@transaction.atomic
def goal_update(*, actor, goal: Goal, **data) -> Goal:
    goal = Goal.objects.select_for_update().select_related("plan__department").get(pk=goal.pk)
    validation.require(access.can_edit_plan(actor, goal.plan))
    _only(data, ("number", "title", "order"))
    before = audit.snapshot(goal, GOAL_FIELDS)
    if "number" in data:
        goal.number = validation.text("number", data["number"], 10)
    if "title" in data:
        goal.title = validation.text("title", data["title"], 300)
    if "order" in data:
        goal.order = _order(data["order"])
    goal.save()
    _record(actor, A.UPDATE, goal, before, audit.snapshot(goal, GOAL_FIELDS), goal.plan.department)
    return goal


def _order(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 32767:
        raise ServiceError.field("order", _("must be a whole number from 0 to 32767"))
    return value


def _clean_kpi(data: dict) -> dict:
    _only(data, KPI_FIELDS)
    out = {}
    for field, limit, required in (
        ("number", 10, False),
        ("name", 300, True),
        ("measure", 300, True),
        ("unit", 30, False),
    ):
        if field in data:
            out[field] = validation.text(field, data[field], limit, required)
    for field, choices in (
        ("direction", Direction),
        ("accumulation", Accumulation),
        ("frequency", Frequency),
        ("path", Path),
    ):
        if field in data:
            out[field] = _choice(field, data[field], choices)
    for field in ("on_track_from", "at_risk_from"):
        if field in data:
            share = decimal_value(field, data[field])
            # Kept to 2 places (a DecimalField(4, 2)): 0.905 is refused, not rounded.
            two_places = share == share.quantize(Decimal("0.01"))
            if not (Decimal(0) <= share <= Decimal("1.5") and two_places):
                raise ServiceError.field(
                    field, _("must be a share between 0 and 1.5 (e.g. 0.9 for 90%)")
                )
            out[field] = share
    if "metric_key" in data:
        key = validation.text("metric_key", data["metric_key"], 80, required=False)
        if key and registry.get(key) is None:
            raise ServiceError.field(
                "metric_key", _("no metric is registered under %(k)s") % {"k": key}
            )
        out["metric_key"] = key
    if "order" in data:
        out["order"] = _order(data["order"])
    if "over_100" in data:
        if not isinstance(data["over_100"], bool):
            raise ServiceError.field("over_100", _("must be true or false"))
        out["over_100"] = data["over_100"]
    return out


def _check_thresholds(kpi: KPI) -> None:
    if kpi.at_risk_from > kpi.on_track_from:
        raise ServiceError.field("at_risk_from", _("must not be above the on-track threshold"))


@transaction.atomic
def kpi_create(*, actor, goal: Goal, targets: dict[int, str] | None = None, **data) -> KPI:
    validation.require(access.can_edit_plan(actor, goal.plan))
    data.setdefault("name", "")
    data.setdefault("measure", "")
    kpi = KPI(goal=goal, **_clean_kpi(data))
    _check_thresholds(kpi)
    kpi.save()
    _record(actor, A.CREATE, kpi, {}, audit.snapshot(kpi, KPI_FIELDS), goal.plan.department)
    for year, text in (targets or {}).items():
        target_set(actor=actor, kpi=kpi, year=year, text=text)
    return kpi


@transaction.atomic
def kpi_update(*, actor, kpi: KPI, **data) -> KPI:
    kpi = KPI.objects.select_for_update().select_related("goal__plan__department").get(pk=kpi.pk)
    validation.require(access.can_edit_plan(actor, kpi.goal.plan))
    before = audit.snapshot(kpi, KPI_FIELDS)
    clean = _clean_kpi(data)
    if clean.get("frequency", kpi.frequency) != kpi.frequency and kpi.measurements.exists():
        raise ServiceError.field(
            "frequency", _("values are already recorded by period; the frequency cannot change")
        )
    for key, value in clean.items():
        setattr(kpi, key, value)
    _check_thresholds(kpi)
    kpi.save()
    _record(actor, A.UPDATE, kpi, before, audit.snapshot(kpi, KPI_FIELDS), kpi.goal.plan.department)
    return kpi


@transaction.atomic
def target_set(*, actor, kpi: KPI, year: int, text: str) -> Target:
    """Set a year's target. A plan's editors draft targets; once the plan is in force (see
    access.in_force) only the officer sets them, and a closed year's targets are frozen."""
    plan = kpi.goal.plan
    validation.require(access.can_edit_plan(actor, plan))
    year = _year("year", year)
    if not plan.covers(year):
        raise ServiceError.field(
            "year",
            _("the plan covers %(a)d–%(b)d only")
            % {"a": roc_year(plan.first_year), "b": roc_year(plan.last_year)},
        )
    today = timezone.localdate()
    existing = Target.objects.select_for_update().filter(kpi=kpi, year=year).first()
    if existing is not None and year < today.year:
        raise ServiceError.field(
            "year",
            _("%(y)d has closed; its target is frozen") % {"y": roc_year(year)},
        )
    if not access.can_set_target(actor, plan, year, today):
        raise NotAllowed(
            _("Targets of a plan in force, or of a closed year, are set by the 管考 officer.")
        )
    text = validation.text("target", text, 100)
    try:
        parse_target(text, direction=kpi.direction)
    except TargetError as exc:
        raise ServiceError.field("target", str(exc)) from None
    before = {"text": existing.text} if existing else {}
    target, created = Target.objects.update_or_create(kpi=kpi, year=year, defaults={"text": text})
    _record(
        actor, A.CREATE if created else A.UPDATE, target, before, {"text": text}, plan.department
    )
    return target


# Measurements ----------------------------------------------------------------------------


def _check_period(kpi: KPI, year: int, period: int) -> None:
    _year("year", year)
    if (
        isinstance(period, bool)
        or not isinstance(period, int)
        or not 1 <= period <= kpi.periods_per_year
    ):
        raise ServiceError.field(
            "period",
            _("must be 1 to %(n)d for a %(f)s KPI")
            % {"n": kpi.periods_per_year, "f": kpi.get_frequency_display()},
        )
    plan = kpi.goal.plan
    if not plan.covers(year):
        raise ServiceError.field(
            "year",
            _("the plan covers %(a)d–%(b)d only")
            % {"a": roc_year(plan.first_year), "b": roc_year(plan.last_year)},
        )


def _is_rate(kpi: KPI) -> bool:
    return kpi.accumulation == Accumulation.RATIO or kpi.unit.strip() in ("%", "％")


def _checked_value(kpi: KPI, data: dict) -> dict:
    """The value by the KPI's kind: counts, amounts and rates are never negative; a rate
    lies within 0–100% unless the KPI allows more, so its numerator is at most its
    denominator."""
    out = {}
    if kpi.accumulation == Accumulation.RATIO:
        # A rate's value is its numerator / denominator; a value sent with them is not used.
        if data.get("numerator") in (None, "") or data.get("denominator") in (None, ""):
            raise ServiceError.field("denominator", _("a rate needs its numerator and denominator"))
        out["numerator"] = decimal_value("numerator", data["numerator"])
        out["denominator"] = decimal_value("denominator", data["denominator"])
        if out["numerator"] < 0:
            raise ServiceError.field("numerator", _("must not be negative"))
        if out["denominator"] <= 0:
            raise ServiceError.field("denominator", _("must be above 0"))
        if out["numerator"] > out["denominator"] and not kpi.over_100:
            raise ServiceError.field(
                "numerator", _("must not exceed the denominator: a rate is at most 100%")
            )
        value = (out["numerator"] * 100 / out["denominator"]).quantize(Decimal("0.0001"))
        if abs(value) >= MAX_VALUE:
            raise ServiceError.field("value", _("must be a finite number below 10^13"))
        out["value"] = value
        return out
    value = decimal_value("value", data.get("value"))
    if value < 0:
        raise ServiceError.field("value", _("must not be negative"))
    if _is_rate(kpi) and value > 100 and not kpi.over_100:
        raise ServiceError.field("value", _("is a rate: at most 100%"))
    out["value"] = value
    return out


def _values(kpi: KPI, data: dict) -> dict:
    out = _checked_value(kpi, data)
    out["note"] = validation.text("note", data.get("note", ""), 5000, required=False)
    url = validation.text("evidence_url", data.get("evidence_url", ""), 500, required=False)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ServiceError.field(
                "evidence_url", _("must be an http(s) address, such as https://…")
            ) from None
    out["evidence_url"] = url
    return out


def _measurement_snapshot(m: Measurement) -> dict:
    return audit.snapshot(
        m,
        [
            "year",
            "period",
            "value",
            "numerator",
            "denominator",
            "note",
            "evidence_url",
            "status",
            "revision",
        ],
    )


@transaction.atomic
def measurement_record(
    *, actor, kpi: KPI, year: int, period: int, evidence_file=None, **data
) -> Measurement:
    """A liaison's value for a period: a new measurement, or a correction (new revision).

    An evidence file goes through the core attachment service; if it is refused, the
    whole entry is refused with it (one transaction)."""
    validation.require(access.can_report(actor, kpi))
    if kpi.metric_key:
        raise ServiceError.field(
            "kpi", _("this KPI is computed by a metric; it takes no manual values")
        )
    _check_period(kpi, year, period)
    values = _values(kpi, data)
    previous = (
        Measurement.objects.select_for_update()
        .filter(kpi=kpi, year=year, period=period, latest=True)
        .order_by()
        .first()
    )
    if previous is not None:
        Measurement.objects.filter(pk=previous.pk).update(latest=False)
    try:
        with transaction.atomic():  # two first entries at once: the second is told, not a 500
            m = Measurement.objects.create(
                kpi=kpi,
                year=year,
                period=period,
                entered_by=actor,
                revision=(previous.revision + 1) if previous else 1,
                supersedes=previous,
                status=Measurement.Status.SUBMITTED,
                **values,
            )
    except IntegrityError:
        raise ServiceError.field(
            "period", _("someone entered a value for this period just now; reload and check it")
        ) from None
    before = _measurement_snapshot(previous) if previous else {}
    _record(
        actor,
        A.CREATE if previous is None else A.UPDATE,
        m,
        before,
        _measurement_snapshot(m),
        kpi.goal.plan.department,
        note="" if previous is None else f"correction, revision {m.revision}",
    )
    if evidence_file is not None:
        attachments.attachment_create(
            actor=actor,
            file=evidence_file,
            department=kpi.goal.plan.department,
            owner_type="plans.measurement",
            owner_id=m.pk,
        )
    notices.value_entered(m)
    return m


def _pending(measurement_id: int) -> Measurement:
    # order_by(): Measurement's default ordering would join KPI, goal and plan for nothing.
    m = (
        Measurement.objects.select_for_update(of=("self",))
        .select_related("kpi__goal__plan__department")
        .filter(pk=measurement_id)
        .order_by()
        .first()
    )
    if m is None:
        raise NotFound
    if m.status != Measurement.Status.SUBMITTED or not m.latest:
        raise ServiceError.field(
            "status", _("only the latest revision awaiting approval can be decided")
        )
    return m


@transaction.atomic
def measurement_approve(*, actor, measurement_id: int) -> Measurement:
    m = _pending(measurement_id)
    validation.require(access.can_approve(actor, m.kpi))
    if m.entered_by_id == actor.pk:  # four eyes, administrators included
        raise NotAllowed(_("Someone other than the person who entered a value approves it."))
    Measurement.objects.filter(kpi=m.kpi, year=m.year, period=m.period, counted=True).update(
        counted=False
    )
    m.status, m.counted, m.decided_by, m.decided_at = (
        Measurement.Status.APPROVED,
        True,
        actor,
        timezone.now(),
    )
    m.save(update_fields=["status", "counted", "decided_by", "decided_at"])
    _record(
        actor,
        A.UPDATE,
        m,
        {"status": "submitted"},
        {"status": "approved"},
        m.kpi.goal.plan.department,
    )
    m.notified = notices.value_decided(m)
    return m


@transaction.atomic
def measurement_return(*, actor, measurement_id: int, reason: str) -> Measurement:
    m = _pending(measurement_id)
    validation.require(access.can_approve(actor, m.kpi))
    m.decision_note = validation.text("reason", reason, 300)
    m.status, m.decided_by, m.decided_at = Measurement.Status.RETURNED, actor, timezone.now()
    m.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    _record(
        actor,
        A.UPDATE,
        m,
        {"status": "submitted"},
        {"status": "returned"},
        m.kpi.goal.plan.department,
        note=m.decision_note,
    )
    m.notified = notices.value_decided(m)
    return m


@transaction.atomic
def measurement_store_computed(
    *, kpi: KPI, year: int, period: int, value, numerator=None, denominator=None
) -> Measurement | None:
    """A metric's value, stored approved and counted; a changed value becomes a new revision."""
    current = (
        Measurement.objects.select_for_update()
        .filter(kpi=kpi, year=year, period=period, latest=True)
        .order_by()
        .first()
    )
    if current is not None and current.value == value and current.counted:
        return None
    if current is not None:
        Measurement.objects.filter(kpi=kpi, year=year, period=period).filter(latest=True).update(
            latest=False, counted=False
        )
        Measurement.objects.filter(kpi=kpi, year=year, period=period, counted=True).update(
            counted=False
        )
    m = Measurement.objects.create(
        kpi=kpi,
        year=year,
        period=period,
        value=value,
        numerator=numerator,
        denominator=denominator,
        source=Measurement.Source.METRIC,
        status=Measurement.Status.APPROVED,
        counted=True,
        latest=True,
        revision=(current.revision + 1) if current else 1,
        supersedes=current,
        decided_at=timezone.now(),
    )
    cache.touch()
    audit.record(
        actor=None,
        action=A.CREATE if current is None else A.UPDATE,
        obj=m,
        changes=audit.diff(
            _measurement_snapshot(current) if current else {}, _measurement_snapshot(m)
        ),
        department=kpi.goal.plan.department,
        note="computed by " + kpi.metric_key,
    )
    return m
