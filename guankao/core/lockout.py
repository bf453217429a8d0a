"""Sign-in lockout with two limits (django-axes handler).

AXES_LOCKOUT_PARAMETERS lists two combinations, in this order:
- username + address: locked at AXES_FAILURE_LIMIT failures (someone guessing one account);
- the address alone: locked at GUANKAO_LOGIN_ADDRESS_FAILURE_LIMIT failures over any
  accounts (someone trying many accounts from one place), a higher number so that one
  office behind one NAT address is not locked out by a few mistyped passwords.

Axes compares its one failure limit with the largest count of any combination; this handler
scales the address-wide count to that limit, and on a successful sign-in clears only that
account's failures from the address: signing in to one's own account must not wipe the
address-wide count that someone else's guessing built up.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        per_account, per_address = self.get_user_attempts(request, credentials)
        account = _failures(per_account)
        if _failures(per_address) >= settings.GUANKAO_LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(account, settings.AXES_FAILURE_LIMIT)
        return account

    def reset_user_attempts(self, request, credentials=None) -> int:
        per_account = self.filter_user_attempts(request, credentials)[0]
        count, _ = per_account.delete()
        return count
