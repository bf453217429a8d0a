"""What the security pages share: the agencies a user manages, a form's POST."""

from django.shortcuts import redirect

from guankao.core.forms import add_service_errors
from guankao.core.http import run_action
from guankao.security import access
from guankao.security import selectors_registers as reads


def managed_agencies(user):
    return [a for a in reads.agency_choices(user=user) if access.can_manage(user, a)]


def post_form(request, form, act, page, done_url):
    """A form's POST: 400 with the form's errors when it is invalid; the service's refusal
    on the form (400, nothing changed); done: to `done_url`."""
    if not form.is_valid():
        return page(400)

    def refused(exc):
        add_service_errors(form, exc)
        return page(200)

    return run_action(request, act, refused=refused) or redirect(done_url)
