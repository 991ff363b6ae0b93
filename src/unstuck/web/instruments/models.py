"""Instrument definitions a clinic added itself (e.g. a licensed scale it holds rights to).

The TOML text is stored as uploaded; it is checked by the same core loader as the built-in
definitions, on upload and again whenever the instruments are loaded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ClinicInstrument(models.Model):
    instrument_id = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    filename = models.CharField(max_length=200)
    definition = models.TextField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.instrument_id
