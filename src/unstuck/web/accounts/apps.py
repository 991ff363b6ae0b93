from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    # Chosen for the app although apps.py holds a second config (Django picks none otherwise,
    # and then `ready` never runs: the receivers of `accounts.outside` need it, as management
    # commands load no middleware that would import them).
    default = True
    name = "unstuck.web.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from unstuck.web import security  # noqa: F401  (a deploy check)
        from unstuck.web.accounts import (  # noqa: F401  (audit receivers; a deploy check)
            outside,
            signals,
            throttle,
        )


class SignInProtectionConfig(AxesConfig):  # type: ignore[misc]
    """django-axes (sign-in throttling), named in the administration screens for what it
    does rather than by the library's name."""

    verbose_name = "Sign-in protection"
