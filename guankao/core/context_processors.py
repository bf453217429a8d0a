from django.conf import settings

from guankao.core import nav, selectors


def shell(request):
    user = request.user
    return {
        "nav_items": nav.items_for(user),
        "unread_notifications": selectors.unread_count(user=user),
        "demo_mode": settings.DEMO,
    }
