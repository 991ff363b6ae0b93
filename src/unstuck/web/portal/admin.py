from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, signed_in
from unstuck.web.portal.models import PortalSettings


@admin.register(PortalSettings)
class PortalSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The clinic's settings for the pages clients answer on. Every change is in the audit
    log, naming what changed (the safety message clients read is among them); the settings
    are changed, never deleted."""

    list_display = ("clinic", "expiry_days", "reminder_days", "show_own_scores")

    def save_model(
        self,
        request: HttpRequest,
        obj: PortalSettings,
        form: ModelForm[PortalSettings],
        change: bool,
    ) -> None:
        super().save_model(request, obj, form, change)
        labels = [str(form.fields[name].label or name) for name in form.changed_data]
        record_audit(
            signed_in(request),
            AuditAction.CHANGE_PORTAL_SETTINGS,
            detail=f"{obj.clinic.name}: {', '.join(labels) if change else 'created'}"[:300],
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
