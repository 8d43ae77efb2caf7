"""The notification email: plain text with an HTML alternative (both from Django templates,
the HTML one autoescaped), the site's absolute links, and RFC 8058 one-click unsubscribe
headers. Built and sent by the worker only, as the task :func:`notification_email_send`.

The task is here, beside the email it sends, not in ``tasks``: it is queued by
:mod:`openbeat.notifications.delivery` (which the fan-out task runs) and by ``services``,
so it sits below them all; this module imports none of them.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

_UNSUBSCRIBE_SALT = "openbeat.notifications.unsubscribe"


def unsubscribe_token(*, user) -> str:
    # signed, so the link alone is enough (mail clients post it without a session or CSRF token)
    return signing.dumps({"u": user.pk}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user_id(*, token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=_UNSUBSCRIBE_SALT)["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.OPENBEAT_SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def multipart_email(*, subject: str, template: str, context: dict, to: list[str],
                    headers: dict | None = None) -> EmailMultiAlternatives:
    """An email whose body is ``template``.txt, with ``template``.html as its HTML
    alternative, both rendered with ``context`` (and ``subject``)."""
    context = {**context, "subject": subject}
    message = EmailMultiAlternatives(subject=subject, body=render_to_string(f"{template}.txt", context), to=to,
                                     headers=headers or {})
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def unsubscribe_url(*, user) -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user=user)]))


@transaction.atomic
def notifications_email(*, notification_ids: list[int]) -> int:
    from openbeat.notifications.models import Notification

    pending = list(Notification.objects.select_for_update().select_related("user")
                   .filter(pk__in=notification_ids, emailed_at__isnull=True)
                   .order_by("created_at", "pk"))
    if not pending:
        return 0
    user = pending[0].user
    pending = [n for n in pending if n.user_id == user.pk]
    if not user.is_active or user.suspended_at or not user.email or user.notify_frequency == "none":
        return 0
    link = unsubscribe_url(user=user)
    digest = len(pending) > 1
    subject = (f"OpenBeat: {len(pending)} updates from what you follow" if digest else f"OpenBeat: {pending[0].subject}")
    message = multipart_email(
        subject=subject, template="notifications/email", to=[user.email],
        context={"user": user, "items": [{"n": n, "url": absolute_url(n.url)} for n in pending],
                 "digest": digest, "unsubscribe_url": link,
                 "settings_url": absolute_url(reverse("accounts_settings"))},
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.send()
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(pending)


@task()
def notification_email_send(*, notification_ids: list[int]) -> int:
    """Email one notification (immediate) or several (a digest) to their one recipient.
    Already-emailed notifications are skipped, so a retried task sends nothing twice.
    Returns how many notifications the email carried."""
    return notifications_email(notification_ids=notification_ids)
