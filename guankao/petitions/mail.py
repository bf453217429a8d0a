"""What the petitioner is told by e-mail: the reply with the survey link, an extension's
new deadline (人民陳情案件處理要點) and a re-routing to another department.

Citizens are not staff Users, so these go through core.services.mail_outside (kept,
sent after commit, retried by the worker), composed inside the transaction that makes
the news: the survey token is only known there, being stored hashed.
"""

from django.utils.translation import gettext as _

from guankao.core import links
from guankao.core import services as core_services
from guankao.lib.roc import format_roc
from guankao.petitions.models import Case, Reply


def survey_url(token: str) -> str:
    return f"/petitions/survey/{token}/"


def _mail(case: Case, subject: str, body: str, url: str = "") -> None:
    if case.anonymous or not case.email:
        return
    core_services.mail_outside(
        address=case.email,
        subject=subject,
        body=body,
        url=url,
        about=f"petitions.case:{case.pk}",
    )


def _greeting(case: Case) -> str:
    return _("Dear %(n)s,") % {"n": case.name} if case.name else _("Dear citizen,")


def reply_sent(case: Case, reply: Reply, token: str | None) -> None:
    """The reply, when it goes by e-mail, with the link to the satisfaction survey."""
    if reply.method != Reply.Method.EMAIL:
        return
    parts = [
        _greeting(case),
        _("The city's reply to your case %(n)s (%(s)s):") % {"n": case.number, "s": case.subject},
        reply.text,
    ]
    if token:
        parts.append(
            _("Please tell us how we did (the survey is open for a few days): %(u)s")
            % {"u": links.absolute(survey_url(token))}
        )
    _mail(case, _("Reply to your case %(n)s") % {"n": case.number}, "\n\n".join(parts))


def extended(case: Case) -> None:
    body = "\n\n".join(
        [
            _greeting(case),
            _("Your case %(n)s needs more time; the reply is now due by %(d)s.")
            % {"n": case.number, "d": format_roc(case.due_date)},
        ]
    )
    _mail(case, _("Your case %(n)s: new reply date") % {"n": case.number}, body)


def rerouted(case: Case) -> None:
    body = "\n\n".join(
        [
            _greeting(case),
            _("Your case %(n)s has been passed to %(d)s, which will reply by %(due)s.")
            % {"n": case.number, "d": case.lead.name, "due": format_roc(case.due_date)},
        ]
    )
    _mail(
        case, _("Your case %(n)s: passed to %(d)s") % {"n": case.number, "d": case.lead.name}, body
    )
