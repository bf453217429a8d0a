"""Who is told what about a monthly report, and when a notice's work is done.

Task keys (guankao.core.services.notices_done):
- tracking.review:<item>:<year>:<month>   the head is asked to approve; done once reviewed;
- tracking.refile:<item>:<year>:<month>   a returned report to file again; done when filed;
- tracking.due:<department>:<year>:<month>      the worker's chasing of the month's reports
  (liaisons, escalation to the head); done when the department owes none for the month;
- tracking.reviews:<department>:<year>:<month>  the worker's chasing of late reviews; done
  when none of the month's reports of the department waits for review.
"""

from django.utils.translation import gettext as _

from guankao.core import services as core_services
from guankao.core.models import Role, User
from guankao.lib.roc import format_roc, format_roc_month
from guankao.tracking.models import Report


def key(kind: str, report: Report) -> str:
    return f"tracking.{kind}:{report.item_id}:{report.year}:{report.month}"


def department_key(kind: str, department_id: int, year: int, month: int) -> str:
    return f"tracking.{kind}:{department_id}:{year}:{month}"


def _month(report: Report) -> str:
    return format_roc_month(report.year, report.month)


def _name(user) -> str:
    return (user.display_name or user.username) if user else ""


def report_filed(item, report: Report) -> list:
    """A report waits for the head: a returned one's correction is done; the month's
    chasing of the department is done once it owes nothing more."""
    from guankao.tracking.jobs import owing

    core_services.notices_done(task=key("refile", report))
    if not owing(report.year, report.month).filter(lead_id=item.lead_id).exists():
        core_services.notices_done(
            task=department_key("due", item.lead_id, report.year, report.month)
        )
    subject = _("To approve: %(item)s, report for %(month)s") % {
        "item": item.number,
        "month": _month(report),
    }
    return core_services.notify_roles(
        departments=[item.lead],
        roles=(Role.HEAD,),
        subject=subject,
        body=_("Review by %(date)s.") % {"date": format_roc(report.review_due)},
        url=f"/tracking/items/{item.pk}/",
        task=key("review", report),
    )


def report_reviewed(report: Report) -> list[User]:
    """Approved, returned or refused: the filer is told, on a return the lead department's
    liaisons too (any of them may file it again). Returns who was told."""
    item = report.item
    core_services.notices_done(task=key("review", report))
    waiting = Report.objects.filter(
        item__lead_id=item.lead_id,
        year=report.year,
        month=report.month,
        state=Report.State.SUBMITTED,
    )
    if not waiting.exists():
        core_services.notices_done(
            task=department_key("reviews", item.lead_id, report.year, report.month)
        )
    recipients = {report.filed_by_id: report.filed_by}
    task = ""
    if report.state == Report.State.RETURNED:
        liaisons = User.objects.filter(
            is_active=True, department_id=item.lead_id, role_assignments__role=Role.LIAISON
        ).distinct()
        recipients.update({u.pk: u for u in liaisons})
        task = key("refile", report)
    subject = _("%(item)s, report for %(month)s: %(state)s") % {
        "item": item.number,
        "month": _month(report),
        "state": report.get_state_display(),
    }
    body = _("%(state)s by %(who)s.") % {
        "state": report.get_state_display(),
        "who": _name(report.reviewed_by),
    }
    if report.review_note:
        body += "\n" + report.review_note
    people = [u for pk, u in sorted(recipients.items()) if pk != report.reviewed_by_id]
    core_services.notify(
        recipients=people, subject=subject, body=body, url=f"/tracking/items/{item.pk}/", task=task
    )
    return people
