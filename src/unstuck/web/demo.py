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
from unstuck.web.accounts.models import Clinic, Role, User
from unstuck.web.records.alerts import raise_safety_alerts_for, record_safety_check
from unstuck.web.records.instruments import instruments
from unstuck.web.records.models import (
    CheckOutcome,
    Client,
    EndReason,
    Episode,
    MeasureResponse,
    SafetyAlert,
    SafetyCheck,
    Session,
)
from unstuck.web.records.services import scored_fields
from unstuck.web.records.snapshots import refresh_status
from unstuck.web.reviews.demo import demo_reviews


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    name: str


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
    load_observations(table.observations, therapists, clinic, progress=progress)
    _end_completed_courses(table.clients)
    demo_reviews()
    return list(DEMO_LOGINS)


def _end_completed_courses(clients: pl.DataFrame) -> None:
    """Close, as planned endings on their last session's date, the episodes of the clients
    who came to the end of the course (`demo_clinic`'s ``completed_on``). They leave the active
    caseload as they would in a clinic, which then shows clients still coming and those who
    stopped without saying so. One with a safety alert still open stays open: ending it asks
    the therapist to confirm they considered the alert, a step the demo does not take for them.
    """
    done = dict(clients.drop_nulls("completed_on").select("client_id", "completed_on").iter_rows())
    for client in Client.objects.filter(code__in=list(done)):
        if SafetyAlert.objects.filter(client=client, safety_check__isnull=True).exists():
            continue
        ended_on = done[client.code]
        Episode.objects.filter(client=client).update(
            ended_on=ended_on, end_reason=EndReason.COMPLETED
        )
        client.episode_ended_on = ended_on
        client.save(update_fields=["episode_ended_on"])
        refresh_status(client)


def load_observations(
    frame: pl.DataFrame,
    therapists: list[User],
    clinic: Clinic,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Store a long table (the `unstuck analyze` CSV format, with item columns and dates)."""
    installed = instruments()
    item_cols = [c for c in frame.columns if c.startswith("item_")]
    codes = frame["client_id"].unique(maintain_order=True).to_list()
    for index, (code, part) in enumerate(frame.group_by("client_id", maintain_order=True)):
        therapist = therapists[index % len(therapists)]
        rows = part.sort(["occasion", "instrument"]).to_dicts()
        client = Client.objects.create(
            clinic=clinic, therapist=therapist, code=str(code[0]), synthetic=True
        )
        episode = Episode.objects.create(client=client, started_on=rows[0]["date"])
        sessions: dict[int, Session] = {}
        responses: list[MeasureResponse] = []
        for r in rows:
            if r["occasion"] not in sessions:
                sessions[r["occasion"]] = Session.objects.create(
                    episode=episode,
                    number=r["occasion"],
                    date=r["date"],
                    attendance=r["attendance"],
                    duration_minutes=50,
                )
            instrument = installed[r["instrument"]]
            answers = [r[c] for c in item_cols[: len(instrument.items)]]
            if all(a is None for a in answers):
                continue
            responses.append(
                MeasureResponse(
                    session=sessions[r["occasion"]],
                    instrument=instrument.id,
                    **scored_fields(instrument.id, answers),
                )
            )
        MeasureResponse.objects.bulk_create(responses)
        came = [n for n, s in sessions.items() if s.attendance in ATTENDED]
        _safety_history(client, episode, therapist, attended=came)
        if progress:
            progress(index + 1, len(codes))


def _safety_history(
    client: Client, episode: Episode, therapist: User, *, attended: list[int]
) -> None:
    """Raise the demo's safety alerts. A made-up history: an alert was followed up at the next
    session the client came to (a check recorded, no current risk); one with no session
    attended after it is still open (the client has not been seen since), as the caseload
    then shows it. Then the status."""
    alerts = []
    positive = MeasureResponse.objects.filter(session__episode=episode, safety_alert=True)
    for response in positive.select_related("session__episode__client"):
        alerts += raise_safety_alerts_for(response, user=therapist)
    for alert in alerts:  # raised the day the answer was given, not when the demo was loaded
        SafetyAlert.objects.filter(pk=alert.pk).update(raised_at=_midday(alert.session_date))
    # Each answer is checked at the next session the client came to (answers before the same
    # visit in one check); an answer with no attended session after it stays open.
    by_visit: dict[int, list[int]] = {}
    for alert in alerts:
        later = [n for n in attended if n > alert.session_number]
        if later:
            by_visit.setdefault(min(later), []).append(alert.pk)
    for visit, alert_ids in sorted(by_visit.items()):
        check = record_safety_check(
            user=therapist, client=client, outcome=CheckOutcome.NO_CURRENT_RISK, alert_ids=alert_ids
        )
        checked_on = episode.sessions.get(number=visit).date
        SafetyCheck.objects.filter(pk=check.pk).update(checked_at=_midday(checked_on))
    if not by_visit:
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
