"""Checks of an account form that keep access to clinical records coherent: which clinic an
account belongs to, and who supervises whom (a supervisor reads their supervisees' clients)."""

from __future__ import annotations

from typing import Any

from django import forms

from unstuck.web.accounts.models import Role, User

NO_CLINIC = (
    "Choose the clinic this person works in. Only an administrator may belong to no clinic: "
    "a therapist, supervisor or clinic lead without one could open none of its pages."
)


def check_clinic(form: forms.ModelForm[User], cleaned: dict[str, Any]) -> None:
    """Every account but an administrator's belongs to a clinic (an account with no clinic was
    offered "Add a client" and then refused it), and supervision stays inside one clinic: a
    supervisor reads the clients of the people they supervise, so a supervisor in another
    clinic, or one moving to another clinic, would read records of a clinic not theirs."""
    if "clinic" not in form.fields:
        return
    role = cleaned.get("role", form.instance.role)
    clinic = cleaned.get("clinic")
    if role != Role.ADMINISTRATOR and clinic is None:
        form.add_error("clinic", NO_CLINIC)
        return
    supervisor = cleaned.get("supervisor")
    if supervisor is not None and supervisor.clinic_id != getattr(clinic, "pk", None):
        form.add_error(
            "supervisor",
            f"{supervisor.username} works in {supervisor.clinic or 'no clinic'}; a supervisor "
            f"must work in the same clinic as the people they supervise ({clinic}).",
        )
    account = form.instance
    if account.pk and clinic is not None and clinic.pk != account.clinic_id:
        supervised = sorted(
            User.objects.filter(supervisor=account).values_list("username", flat=True)
        )
        if supervised:
            form.add_error(
                "clinic",
                f"{account.username} supervises {', '.join(supervised)} in {account.clinic}; "
                "give them another supervisor there before changing this clinic.",
            )


def check_supervision(form: forms.ModelForm[User], cleaned: dict[str, Any]) -> None:
    """Nobody supervises themselves, and a supervisor stays one while anyone names them as
    supervisor: a supervisor made a therapist kept their supervisees, whose pages then showed
    no supervisor (the list is of supervisors) and dropped the old one at their next save."""
    account = form.instance
    if account.pk is None:
        return
    supervisor = cleaned.get("supervisor")
    if supervisor is not None and supervisor.pk == account.pk:
        form.add_error(
            "supervisor",
            f"{account.username} cannot be their own supervisor; choose another supervisor, "
            "or none.",
        )
    role = cleaned.get("role", account.role)
    if account.role == Role.SUPERVISOR and role != Role.SUPERVISOR:
        supervised = sorted(
            User.objects.filter(supervisor=account)
            .exclude(pk=account.pk)
            .values_list("username", flat=True)
        )
        if supervised:
            form.add_error(
                "role",
                f"{account.username} supervises {', '.join(supervised)}; give them another "
                "supervisor (or none) on their own pages before changing this role.",
            )
