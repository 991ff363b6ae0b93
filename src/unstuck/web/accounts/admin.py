"""The administrator's screens: people (with roles) and a read-only audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from unstuck.web.accounts.models import AuditEntry, Clinic, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "first_name", "last_name", "role", "supervisor", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Role in the clinic", {"fields": ("clinic", "role", "supervisor")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Role in the clinic", {"fields": ("clinic", "role", "supervisor")}),
    )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new account starts in the administrator's own clinic, as a therapist."""
        initial = dict(super().get_changeform_initial_data(request))
        clinic = getattr(request.user, "clinic_id", None)
        if clinic is not None:
            initial.setdefault("clinic", clinic)
        return initial


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "synthetic")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Readable by administrators; nobody can add, change or delete entries in the app."""

    list_display = ("at", "username", "action", "client_code", "detail")
    list_filter = ("action",)
    search_fields = ("username", "client_code")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
