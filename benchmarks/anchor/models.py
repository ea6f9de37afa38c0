"""One row per certificate, holding what a verify answer states."""

from __future__ import annotations

from django.db import models


class Record(models.Model):
    code = models.CharField(max_length=16, unique=True)
    state = models.CharField(max_length=16, default="issued")
    learner_name = models.CharField(max_length=255)
    course_key = models.CharField(max_length=255)
    course_title = models.CharField(max_length=255)
    issuer = models.CharField(max_length=255)
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True)
    signature = models.CharField(max_length=128)

    class Meta:
        app_label = "anchor"

    def __str__(self) -> str:
        return self.code
