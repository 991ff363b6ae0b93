"""One row per form submission that created something, keyed by the form's one-time token.

The unique token is what makes a double-click, a resubmitted page or a retried request store
its record once: the second submission finds the first one's row and is sent to its result.
The form's address and content digest catch the same form filled in the same way on a page
loaded again (the browser's Back button reloads it, with a new token).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Where the form was sent and a digest of what it held (`once.content_digest`): the same
    # form sent again with the same content, from a page loaded anew, is found by these.
    form = models.CharField(max_length=300, blank=True)
    content = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = (models.Index(fields=["user", "form", "-created_at"], name="form_latest"),)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.result_url}"
