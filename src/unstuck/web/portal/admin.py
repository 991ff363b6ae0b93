from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, signed_in
from unstuck.web.portal.models import PortalSettings, WrongAttempt


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


@admin.register(WrongAttempt)
class WrongAttemptAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Wrong links and kiosk codes by address (`portal.throttle`): too many from one address
    pause it, a clinic tablet included, for everyone using it. Deleting an address's rows lifts
    the pause at once (it also ends by itself); each lifting is an audit row. Read, not edited."""

    list_display = ("address", "at")
    list_filter = ("address",)
    actions = ("delete_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: WrongAttempt) -> None:
        self.delete_queryset(request, WrongAttempt.objects.filter(pk=obj.pk))

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WrongAttempt]) -> None:
        """Every wrong attempt of the chosen rows' addresses, so the pause is lifted whole."""
        addresses = sorted(set(queryset.values_list("address", flat=True)))
        for address in addresses:
            gone, _ = WrongAttempt.objects.filter(address=address).delete()
            record_audit(
                signed_in(request),
                AuditAction.PORTAL_PAUSE_LIFTED,
                detail=f"{address}: {gone} wrong links or codes",
            )
