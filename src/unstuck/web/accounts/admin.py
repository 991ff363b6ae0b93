"""The administrator's screens: people (with roles), clinics and paused sign-ins.

The audit log has no screen here: it is read on its own page (`audit_views`), which writes
every reading to the log itself; a second way in would read it unseen.

Every save here writes its audit rows in the same transaction (`accounts.services`). An
administrator cannot change their own role, supervisor or rights (no self-grant): another
administrator must, and the audit log shows who did. Administration rights ("staff" and
"superuser") are not offered either: they follow the role (`User.take_rights_from_role`), so
an account with a caseload never has the account pages and an administrator always has them,
and a change of role, audited, changes the rights, audited too. Django's groups and per-user
permissions are not offered (Unstuck grants nothing through them), so no right can be given
where the audit log does not see it.
Sign-ins paused after too many failures can be lifted here, and each lifting is audited too.
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import (
    ReadOnlyPasswordHashField,
    ReadOnlyPasswordHashWidget,
    UserChangeForm,
    UserCreationForm,
)
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from unstuck.web.accounts import services
from unstuck.web.accounts.account_checks import check_clinic, check_supervision
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, Clinic, Role, User, signed_in

# Fields of one's own account that an administrator may not change (they decide access).
ACCESS_FIELDS = ("role", "supervisor", "is_active")
# Django's own rights, not offered (module docstring); staff and superuser follow the role.
UNUSED = ("groups", "user_permissions", "is_staff", "is_superuser")

admin.site.unregister(Group)


def _without_unused(fieldsets: Any) -> tuple[Any, ...]:
    return tuple(
        (name, {**options, "fields": tuple(f for f in options["fields"] if f not in UNUSED)})
        for name, options in fieldsets
    )


class ChoiceFilter(admin.SimpleListFilter):
    """Filter a list by one of a field's choices, listed in plain words. Only a known code
    reaches the database (a NUL byte in the address is a PostgreSQL error); any other value
    matches nothing, as on SQLite."""

    vocabulary: type[models.TextChoices]  # (`choices` is the filter's own method)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(value), str(label)) for value, label in self.vocabulary.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        known = value in self.vocabulary
        return queryset.filter(**{str(self.parameter_name): value}) if known else queryset.none()


class RoleFilter(ChoiceFilter):
    title = "role"
    parameter_name = "role"
    vocabulary = Role


EMAIL_HELP = (
    "They are emailed when a client of theirs gives a safety answer on the questionnaire "
    "pages. Without an address, nobody is emailed."
)


class NewAccountForm(UserCreationForm):  # type: ignore[type-arg]
    """Django's form for a new account, with the clinic required and the email explained.

    Not the admin's own form (`AdminUserCreationForm`): that one offers an account with no
    password, for Single Sign-On or LDAP, which Unstuck has neither of. Such an account could
    never sign in, and was not asked to choose its own password. Here the first password is
    required (typed twice); its owner replaces it at their first sign-in."""

    class Meta(UserCreationForm.Meta):
        model = User

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "email" in self.fields:
            self.fields["email"].help_text = EMAIL_HELP

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_clinic(self, cleaned)
        return cleaned


class PasswordSummary(ReadOnlyPasswordHashWidget):
    """Whether the account has a password, and the button that sets one. Django's own summary
    listed the hash's algorithm, memory cost, salt and hash, which mean nothing to a clinic's
    administrator and made the page look as if the password were somehow on show."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        # Django's admin gives this field's help no id (the summary is a <div>, which no label
        # points at), so an aria-describedby on it would name nothing: the help is read as
        # the text after it.
        attrs = {k: v for k, v in (attrs or {}).items() if k != "aria-describedby"}
        context: dict[str, Any] = super().get_context(name, value, attrs)
        usable = bool(value) and not value.startswith(UNUSABLE_PASSWORD_PREFIX)
        context["summary"] = [{"label": "A password is set." if usable else "No password set."}]
        return context


class AccountForm(UserChangeForm):  # type: ignore[type-arg]
    """The account form, with a colleague to hand the account's clients to: required when the
    account stops holding a caseload (another role, or deactivated) while it still has clients,
    so no client, and no open safety alert, is left where nobody may write."""

    password = ReadOnlyPasswordHashField(
        label="Password",
        widget=PasswordSummary,
        help_text=(
            "Nobody can read a password, here or anywhere. Resetting it sets a new one, which "
            "its owner must replace with their own at their next sign-in."
        ),
    )
    move_clients_to = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Move their clients to",
    )

    class Meta(UserChangeForm.Meta):
        model = User

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from unstuck.web.records import handover

        super().__init__(*args, **kwargs)
        if "email" in self.fields:
            self.fields["email"].help_text = EMAIL_HELP
        account = self.instance
        self.holds = handover.held(account) if account.pk else ""
        field = self.fields["move_clients_to"]
        # A therapist, not a supervisor: only therapists add clients of their own (a
        # supervisor keeps those they had as a therapist, but takes on no colleague's).
        field.queryset = handover.colleagues(account)  # type: ignore[attr-defined]
        field.help_text = (
            f"{account.username} is the therapist of {self.holds}. Choose a therapist colleague "
            "to make them the therapist of all of them (each client is written to the audit log); "
            "needed before another role, another clinic or deactivating."
            if self.holds
            else "This account has no clients."
        )

    def clean(self) -> dict[str, Any]:
        from unstuck.web.records import handover

        cleaned = super().clean() or {}
        role = cleaned.get("role", self.instance.role)
        active = cleaned.get("is_active", self.instance.is_active)
        leaving = role not in handover.CARES or not active
        if role not in handover.CARES and "supervisor" in cleaned:
            cleaned["supervisor"] = None  # only a caseload is supervised (the change is audited)
        check_clinic(self, cleaned)
        check_supervision(self, cleaned)
        # Its clients stay in the clinic they were added in: the account leaves them behind.
        new_clinic = cleaned.get("clinic", self.instance.clinic)
        moving = "clinic" in cleaned and getattr(new_clinic, "pk", None) != self.instance.clinic_id
        if self.holds and (leaving or moving) and not cleaned.get("move_clients_to"):
            change = "changing their clinic" if moving and not leaving else "this change"
            self.add_error(
                "move_clients_to",
                f"{self.instance.username} is still the therapist of {self.holds}; choose a "
                f"colleague to move them to before {change}.",
            )
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    form = AccountForm
    add_form = NewAccountForm
    list_display = ("username", "first_name", "last_name", "role", "supervisor", "is_active")
    list_filter = (RoleFilter, "is_active")
    fieldsets = (
        *_without_unused(BaseUserAdmin.fieldsets or ()),
        (
            "Role in the clinic",
            {
                "fields": (
                    "clinic",
                    "role",
                    "administration_rights",
                    "supervisor",
                    "move_clients_to",
                )
            },
        ),
    )
    filter_horizontal = ()
    # When someone joined and last signed in are facts to read, not to edit (and as split
    # date and time boxes they had no labels a screen reader could announce); the rights
    # follow the role.
    readonly_fields = ("last_login", "date_joined", "administration_rights")
    # Only what Unstuck uses: no "usable password" choice (`NewAccountForm`), and no
    # administration rights, which are given on the account's page once it exists.
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        ("Name and email", {"fields": ("first_name", "last_name", "email")}),
        ("Role in the clinic", {"fields": ("clinic", "role", "supervisor")}),
    )

    @admin.display(description="Administration rights")
    def administration_rights(self, obj: User) -> str:
        if obj.is_superuser:
            return "The account pages and settings (they come with the role Administrator)"
        return "None (they come with the role Administrator only)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        """Each row names its supervisor: read with the rows, not in one query per account.
        (The accounts' manager already joins the clinic, so the list's own automatic join,
        which Django skips for a queryset that has one, never happened.)"""
        return super().get_queryset(request).select_related("supervisor")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            return fields + ACCESS_FIELDS
        return fields

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        before = services.AccountState.of(User.objects.get(pk=obj.pk)) if change else None
        if change and obj.pk == request.user.pk and before != services.AccountState.of(obj):
            self._refuse_self_grant(obj, before)
        # A new account's first password is the administrator's: its owner replaces it at
        # their first sign-in, before any record opens (as for any password set by another).
        first_password = not change and obj.has_usable_password()
        obj.must_change_password = obj.must_change_password or first_password
        obj.take_rights_from_role()  # the form offers no rights: they follow the role
        with services.audited_by_caller():
            super().save_model(request, obj, form, change)
        services.audit_account_saved(actor=signed_in(request), account=obj, before=before)
        if first_password:
            messages.info(request, services.first_password_note(obj))
        target = form.cleaned_data.get("move_clients_to")
        if change and target is not None:
            from unstuck.web.records import handover

            handover.move_clients(actor=signed_in(request), source=obj, target=target)

    @staticmethod
    def _refuse_self_grant(obj: User, before: services.AccountState | None) -> None:
        """Second line behind the read-only fields: a forged form cannot slip a change in."""
        if before is None:
            return
        kept = (before.role, before.supervisor, before.is_active, before.is_staff)
        after = services.AccountState.of(obj)
        if kept != (after.role, after.supervisor, after.is_active, after.is_staff) or (
            before.is_superuser != after.is_superuser
        ):
            raise PermissionDenied(services.SELF_GRANT_REFUSED)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Audited; a password set for someone else must be replaced by its owner at their next
        sign-in, and the message says whose password was set."""
        with transaction.atomic(), services.audited_by_caller():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                account = User.objects.get(pk=id)
                services.audit_password_set(actor=signed_in(request), account=account)
                _say_whose_password(request, account)
        return response

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the records and the audit log keep who did what

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new account starts in the administrator's own clinic, as a therapist."""
        initial = dict(super().get_changeform_initial_data(request))
        clinic = getattr(request.user, "clinic_id", None)
        if clinic is not None:
            initial.setdefault("clinic", clinic)
        return initial


def _say_whose_password(request: HttpRequest, account: User) -> None:
    """Django's "Password changed successfully." does not say whose: name the account."""
    ours = (
        "You changed your own password."
        if account.pk == request.user.pk
        else f"Password set for {account.username}. They must choose a new password of their "
        "own when they next sign in, before any other page opens."
    )
    for message in getattr(messages.get_messages(request), "_queued_messages", []):
        if str(message.message) == gettext("Password changed successfully."):
            message.message = ours


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "synthetic")

    def save_model(
        self, request: HttpRequest, obj: Clinic, form: ModelForm[Clinic], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        services.audit_clinic_saved(actor=signed_in(request), clinic=obj, created=not change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessAttempt)
class PausedSignInAdmin(AccessAttemptAdmin):  # type: ignore[misc]
    """The failed sign-ins that pause an account or an address (django-axes' records). They
    are read, not edited; deleting one lifts its pause, which is an administration change and
    writes an audit row naming the account and the address. (Axes' own screens are turned off
    in the settings: its sign-in logs are not kept, as the audit log holds sign-ins.)"""

    actions = ()  # deleting is the only way to lift a pause, and it is audited

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        self.delete_queryset(request, AccessAttempt.objects.filter(pk=obj.pk))

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        for attempt in queryset.select_for_update():
            record_audit(
                signed_in(request),
                AuditAction.SIGN_IN_PAUSE_LIFTED,
                detail=f"{attempt.username or '(no name)'} from {attempt.ip_address}: "
                f"{attempt.failures_since_start} failed sign-ins",
            )
            attempt.delete()
