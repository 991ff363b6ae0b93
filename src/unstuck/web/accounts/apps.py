from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "unstuck.web.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from unstuck.web.accounts import signals  # noqa: F401  (connects the audit receivers)


class SignInProtectionConfig(AxesConfig):  # type: ignore[misc]
    """django-axes (sign-in throttling), named in the administration screens for what it
    does rather than by the library's name."""

    verbose_name = "Sign-in protection"
