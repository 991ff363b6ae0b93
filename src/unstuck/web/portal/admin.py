from django.contrib import admin

from unstuck.web.portal.models import PortalSettings


@admin.register(PortalSettings)
class PortalSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("clinic", "expiry_days", "reminder_days", "show_own_scores")
