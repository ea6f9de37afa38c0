"""The email backend: one HTML + plain-text email per notification (Django's mail API).

Sent through the host's ``EMAIL_BACKEND`` (SMTP in production), from
``CERT_PLUGIN["NOTIFY"]["FROM_EMAIL"]`` or else ``DEFAULT_FROM_EMAIL``. An
SMTP failure raises, so the plugin retries the email with backoff.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from cert_plugin.notify import Notification, from_email

__all__ = ["EmailBackend"]


class EmailBackend:
    """Emails the learner; takes no options."""

    def send(self, message: Notification) -> None:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=from_email(),
            to=[message.learner_email],
            headers={"X-Cert-Plugin-Event": message.event},
        )
        email.attach_alternative(message.html, "text/html")
        email.send(fail_silently=False)
