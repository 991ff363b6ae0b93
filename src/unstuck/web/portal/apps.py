from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "unstuck.web.portal"
    label = "portal"
    verbose_name = "Client questionnaires"

    def ready(self) -> None:
        from unstuck.web.portal import checks  # noqa: F401  (registers the deploy check)
