"""The demo's Mailbox page: the emails the demo "sent" (devhost.lms.mail), with their links.

A learner sees the messages sent to their address; staff see every message, so
whoever runs the demo sees what learners are told (certificate ready, updated,
expiring). Not part of the plugin.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from devhost.lms.models import MailboxMessage

SHOWN = 50  # the newest messages; the demo has no paging


@login_required
def mailbox(request: HttpRequest) -> HttpResponse:
    """The newest messages to the signed-in user (to everyone, for staff), newest first."""
    user = request.user
    messages = MailboxMessage.objects.all()
    everyone = bool(getattr(user, "is_staff", False))
    if not everyone:
        email = getattr(user, "email", "") or ""
        messages = messages.filter(Q(to__iexact=email) | Q(to__icontains=f"{email},")
                                   | Q(to__iendswith=f", {email}")) if email else messages.none()
    return render(request, "devhost_lms/mailbox.html", {
        "mail": list(messages[:SHOWN]), "total": messages.count(), "everyone": everyone,
        "shown": SHOWN,
    })
