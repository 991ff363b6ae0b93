"""Load a synthetic demo clinic: made-up clients only, clearly marked, for trying Unstuck out.

Two therapists, one supervisor and one administrator; about 60 clients from the synthetic
generator (`unstuck.synth`), whose codes start with ``SYN-``. The clinic is flagged
``synthetic`` and every page says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.db import transaction

from unstuck.progress.attendance import ATTENDED
from unstuck.synth import demo_clinic
from unstuck.synth.clinic import SyntheticClinic
from unstuck.web.accounts.models import Clinic, Role, User
from unstuck.web.records.alerts import record_safety_check
from unstuck.web.records.import_endings import end_courses
from unstuck.web.records.imports import store
from unstuck.web.records.instruments import thresholds
from unstuck.web.records.models import (
    CheckOutcome,
    Client,
    EndReason,
    SafetyAlert,
    SafetyCheck,
    Session,
)
from unstuck.web.records.snapshots import refresh_status, refresh_statuses
from unstuck.web.reviews.demo import demo_reviews


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    name: str


DEMO_ACTOR = "unstuck demo"  # who loaded the demo's records, in the audit log
SESSION_MINUTES = 50  # each demo session's length

DEMO_LOGINS = (
    DemoLogin("alex", "alex-demo-2026", Role.THERAPIST, "Alex Rivera"),
    DemoLogin("sam", "sam-demo-2026", Role.THERAPIST, "Sam Okafor"),
    DemoLogin("jordan", "jordan-demo-2026", Role.SUPERVISOR, "Jordan Lee"),
    DemoLogin("casey", "casey-demo-2026", Role.CLINIC_LEAD, "Casey Morgan"),
    DemoLogin("admin", "admin-demo-2026", Role.ADMINISTRATOR, "Demo Administrator"),
)


@transaction.atomic
def load_demo(
    *,
    clients: int = 60,
    seed: int = 7,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[DemoLogin]:
    """Create the demo clinic in an empty database and return the logins."""
    today = today or dt.date.today()
    clinic = Clinic.objects.create(name="Synthetic demo clinic", synthetic=True)
    users: dict[str, User] = {}
    for login in DEMO_LOGINS:
        first, _, last = login.name.partition(" ")
        user = User.objects.create_user(
            login.username,
            password=login.password,
            clinic=clinic,
            role=login.role,
            first_name=first,
            last_name=last,
        )
        if login.role == Role.ADMINISTRATOR:
            user.take_rights_from_role()
            user.save(update_fields=["is_staff", "is_superuser"])
        users[login.username] = user
    users["alex"].supervisor = users["jordan"]
    users["sam"].supervisor = users["jordan"]
    users["alex"].save()
    users["sam"].save()
    therapists = [users["alex"], users["sam"]]

    table = demo_clinic(clients=clients, seed=seed, today=today)
    load_observations(table.observations, therapists, progress=progress)
    _end_courses(clinic.pk, table, today)
    demo_reviews()
    return list(DEMO_LOGINS)


def _end_courses(clinic: int, table: SyntheticClinic, today: dt.date) -> None:
    """Close the episodes a clinic's therapists would have closed by `today`:

    - as planned endings on their last session's date, those of the clients who came to the
      end of the course (`demo_clinic`'s ``completed_on``);
    - as ended early without agreement, on their last booked session's date, those of the
      clients who stopped coming without a word and were last seen attending more than the
      caseload's "no session for" limit ago (`[last_seen] days`, four weeks): by then a
      therapist has usually tried to reach them and closed the case. The team page then
      shows early endings beside the planned ones, as routine care has them (about one
      ending in five, `demo_parameters`). Those who stopped more recently stay open, showing
      how the caseload flags someone pulling away.

    One with a safety alert still open stays open: ending it asks the therapist to confirm
    they considered the alert, a step the demo does not take for them (`import_endings.end_courses`,
    as an import's outcomes file ends episodes).
    """
    endings = {
        code: (on, EndReason.COMPLETED)
        for code, on in table.clients.drop_nulls("completed_on")
        .select("client_id", "completed_on")
        .iter_rows()
    }
    stopped = table.clients.filter(pl.col("dropped_out")).get_column("client_id")
    rows = table.observations.filter(pl.col("client_id").is_in(stopped.implode()))
    seen = rows.group_by("client_id").agg(
        last_booked=pl.col("date").max(),
        last_came=pl.col("date").filter(pl.col("attendance").is_in(list(ATTENDED))).max(),
    )
    limit = today - dt.timedelta(days=thresholds().last_seen.days)
    for code, booked, came in seen.iter_rows():
        if came is not None and came < limit:
            endings[code] = (booked, EndReason.DROPPED_OUT)
    ended, _ = end_courses(clinic, endings, actor=DEMO_ACTOR, source="the synthetic demo")
    refresh_statuses(list(ended))


def load_observations(
    frame: pl.DataFrame,
    therapists: list[User],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Store a long table (the `unstuck analyze` CSV format, with item columns and dates) as
    `unstuck import` stores a file (`imports.store`), each client for the next therapist in
    turn and marked synthetic; then give the safety alerts a made-up history of checks."""
    store(
        frame.with_row_index("row", offset=1),
        therapists,
        source="the synthetic demo generator",
        actor=DEMO_ACTOR,
        synthetic=True,
        progress=None if progress is None else lambda _, done, total: progress(done, total),
    )
    codes = frame.get_column("client_id").unique().to_list()
    loaded = Client.objects.filter(clinic=therapists[0].clinic, code__in=codes)
    Session.objects.filter(episode__client__in=loaded).update(duration_minutes=SESSION_MINUTES)
    flagged = loaded.filter(safety_alerts__isnull=False).distinct()
    for client in flagged.select_related("therapist"):
        _check_history(client)


def _check_history(client: Client) -> None:
    """A made-up history of the client's safety alerts: each was raised the day its answer
    was given and checked at the next session the client came to (a check recorded, no
    current risk; answers before the same visit in one check). One with no session attended
    after it is still open (the client has not been seen since), as the caseload then shows
    it."""
    alerts = list(client.safety_alerts.all())
    for alert in alerts:  # raised the day the answer was given, not when the demo was loaded
        SafetyAlert.objects.filter(pk=alert.pk).update(raised_at=_midday(alert.session_date))
    sessions = Session.objects.filter(episode__client=client)
    attended = dict(sessions.filter(attendance__in=ATTENDED).values_list("number", "date"))
    by_visit: dict[int, list[int]] = {}
    for alert in alerts:
        later = [n for n in attended if n > alert.session_number]
        if later:
            by_visit.setdefault(min(later), []).append(alert.pk)
    for visit, alert_ids in sorted(by_visit.items()):
        check = record_safety_check(
            user=client.therapist,
            client=client,
            outcome=CheckOutcome.NO_CURRENT_RISK,
            alert_ids=alert_ids,
        )
        SafetyCheck.objects.filter(pk=check.pk).update(checked_at=_midday(attended[visit]))
    if not by_visit:  # the status names the open alert's time, now the day it was raised
        refresh_status(client)


def _midday(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def open_safety_alerts() -> list[tuple[str, str]]:
    """The demo clients with a safety alert still open, and their therapists' user names."""
    unchecked = SafetyAlert.objects.filter(safety_check__isnull=True).values("client_id")
    clients = Client.objects.filter(pk__in=unchecked)
    return list(clients.order_by("code").values_list("code", "therapist__username"))


def reviews_under_way() -> list[tuple[str, str]]:
    """The demo clients with an impasse review and a plan, and their therapists' user names."""
    clients = Client.objects.filter(plans__isnull=False).distinct()
    return list(clients.order_by("code").values_list("code", "therapist__username"))
