"""The demo's email backend: every message goes to the demo's Mailbox page instead of a mail server.

The demo runs without a mail server, so with Django's default (SMTP on
localhost) every email would fail with "Connection refused" and no learner
would ever be told anything. This backend keeps each message as a
:class:`~devhost.lms.models.MailboxMessage` (listed at ``/mailbox/``, with its
links) and prints one line per message on the console where ``make demo``
runs. ``DEVHOST_EMAIL_BACKEND`` chooses another backend (e.g. SMTP).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

log = logging.getLogger("devhost.mail")


class MailboxBackend(BaseEmailBackend):
    """Stores each email in the demo's mailbox; never fails for want of a mail server."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from devhost.lms.models import MailboxMessage

        for message in email_messages:
            MailboxMessage.objects.create(
                to=", ".join(message.recipients()), from_email=message.from_email or "",
                subject=str(message.subject), body=str(message.body), html=_html(message))
            log.info("Mail to %s: %s (see /mailbox/)", ", ".join(message.recipients()), message.subject)
        return len(email_messages)


def _html(message: Any) -> str:
    for content, mimetype in getattr(message, "alternatives", None) or []:
        if mimetype == "text/html":
            return str(content)
    return ""
