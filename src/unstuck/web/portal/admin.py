from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, Clinic, signed_in
from unstuck.web.portal import selectors
from unstuck.web.portal.models import PortalSettings, WrongAttempt


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def settings_changes(
    before: PortalSettings, after: PortalSettings, form: ModelForm[PortalSettings]
) -> list[str]:
    """Each changed setting by its label, old -> new ("Reminder after (days) 2 -> 3"); the safety
    message only as changed (its text is long, and is in the settings themselves)."""
    changes = []
    for name, field in form.fields.items():
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        label = str(field.label or name)
        changes.append(
            f"{label} changed"
            if name == "safety_message"
            else f"{label} {_shown(old)} -> {_shown(new)}"
        )
    return changes


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
        """The row names each change with its old and new value; the first save compares
        with the defaults that were in force until then."""
        before = (
            PortalSettings.objects.get(pk=obj.pk)
            if change
            else selectors.portal_settings(obj.clinic)
        )
        super().save_model(request, obj, form, change)
        changes = ", ".join(settings_changes(before, obj, form))
        first = "" if change else "first saved; "
        record_audit(
            signed_in(request),
            AuditAction.CHANGE_PORTAL_SETTINGS,
            detail=f"{obj.clinic.name}: {first}{changes or 'nothing changed'}",
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Until the clinic's settings are first saved the list is empty: say what is in force."""
        clinic = signed_in(request).clinic
        if clinic is not None and not PortalSettings.objects.filter(clinic=clinic).exists():
            messages.info(request, selectors.settings_in_force(clinic))
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Each clinic has one row of settings (a second was refused only once filled in):
        "Add" is offered only while a clinic has none."""
        unset = Clinic.objects.filter(portal__isnull=True).exists()
        return unset and super().has_add_permission(request)

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
