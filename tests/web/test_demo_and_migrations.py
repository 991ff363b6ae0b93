"""The demo clinic is synthetic and complete; the committed migrations match the models."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from unstuck.cli import main
from unstuck.web.accounts.models import Clinic, Role, User
from unstuck.web.demo import DEMO_LOGINS, load_demo
from unstuck.web.records.models import Client, MeasureResponse


@pytest.mark.django_db
def test_the_demo_clinic_is_synthetic_and_has_every_role() -> None:
    logins = load_demo(clients=12, seed=3)
    assert {login.role for login in logins} == {
        "therapist",
        "supervisor",
        "clinic_lead",
        "administrator",
    }
    clinic = Clinic.objects.get()
    assert clinic.synthetic
    clients = Client.objects.all()
    assert clients.count() == 12
    assert all(c.code.startswith("SYN-") and c.synthetic for c in clients)
    assert {c.therapist.username for c in clients} == {"alex", "sam"}
    assert MeasureResponse.objects.exists()
    assert all(c.status != "insufficient_data" or c.sessions_count < 2 for c in clients)
    for login in DEMO_LOGINS:
        assert User.objects.get(username=login.username).check_password(login.password)


def test_the_help_and_the_readme_name_the_demo_clinics_people(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`unstuck demo --help` left out the clinic lead the demo creates (and the README names)."""
    roles = Counter(Role(login.role).label.lower() for login in DEMO_LOGINS)
    named = ", ".join(
        f"{n} {role}s" if n > 1 else f"{'an' if role[0] in 'aeiou' else 'a'} {role}"
        for role, n in roles.items()
    )
    assert named == "2 therapists, a supervisor, a clinic lead, an administrator"
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    assert f"({named}, made-up clients" in " ".join(capsys.readouterr().out.split())
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"({named} and 60 made-up clients" in " ".join(readme.split())


@pytest.mark.django_db
def test_the_migrations_are_complete() -> None:
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_the_demo_loads_the_clinic_of_the_demo_parameters() -> None:
    """`unstuck demo` shows the published-base-rate mix (`demo_parameters`), not the test bed."""
    import datetime as dt

    import polars as pl

    from unstuck.synth import demo_clinic
    from unstuck.web.records.models import Session

    today = dt.date(2026, 6, 1)
    load_demo(clients=40, seed=3, today=today)
    expected = demo_clinic(clients=40, seed=3, today=today).observations
    want = dict(expected.group_by("client_id").agg(pl.col("occasion").n_unique()).iter_rows())
    got = {c.code: Session.objects.filter(episode__client=c).count() for c in Client.objects.all()}
    assert got == want
    assert max(Session.objects.values_list("date", flat=True)) < today  # none yet to come


@pytest.mark.django_db
def test_the_demos_safety_alerts_were_followed_up_at_the_next_session_attended() -> None:
    """A made-up history: an alert is closed by a check (no current risk) when the client came
    to a session after it, and open when they have not been seen since, so the demo shows
    the caseload's safety group and the check-in step as well as past checks."""
    from unstuck.web.demo import open_safety_alerts
    from unstuck.web.records.models import SafetyAlert, Session

    load_demo(clients=40, seed=3)
    alerts = list(SafetyAlert.objects.select_related("client", "safety_check"))
    for alert in alerts:
        seen_since = Session.objects.filter(
            episode__client=alert.client,
            number__gt=alert.session_number,
            attendance__in=["attended", "late"],
        ).exists()
        assert alert.is_open is not seen_since, (alert.client.code, alert.session_number)
        # dated as the history it tells, not the moment the demo was loaded
        assert alert.raised_at.date() == alert.session_date
        if not alert.is_open:
            next_visit = Session.objects.filter(
                episode__client=alert.client,
                number__gt=alert.session_number,
                attendance__in=["attended", "late"],
            ).order_by("number")[0]
            assert alert.safety_check.checked_at.date() == next_visit.date
            assert alert.safety_check.checked_at.date() < dt.date.today()
    opened = sorted({a.client.code for a in alerts if a.is_open})
    assert opened, "the demo shows no open safety alert"
    assert any(not a.is_open for a in alerts), "the demo shows no past safety check"
    assert [code for code, _ in open_safety_alerts()] == opened
    assert all(
        Client.objects.get(code=code).status_rank == 0 for code in opened
    )  # the safety group, first on the caseload


@pytest.mark.django_db
def test_demo_report_and_the_web_demo_give_the_same_dates(capsys) -> None:  # type: ignore[no-untyped-def]
    """The report started its made-up clinic in January and the web demo ten weeks and two
    months before today: the same client's safety answer had two dates."""
    import json
    import re

    from unstuck.cli import main
    from unstuck.web.records.models import SafetyAlert

    load_demo(clients=30, seed=3)
    assert main(["demo", "--report", "--clients", "30", "--seed", "3", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    clients = report["clients"] if isinstance(report, dict) else report
    compared = 0
    for row in clients:
        web = {
            a.session_date.isoformat()
            for a in SafetyAlert.objects.filter(client__code=row["client_id"])
        }
        said = {
            d
            for e in row["explanations"]
            if e.startswith("Safety")
            for d in re.findall(r"\d{4}-\d\d-\d\d", e)
        }
        if said:
            assert said <= web, row["client_id"]
            compared += 1
    assert compared


def test_the_demos_email_links_point_at_the_port_it_serves_on(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`unstuck demo --port 8622` printed links on 8622, but the therapist's email about an
    answer linked to 127.0.0.1:8000."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNSTUCK_", "DATABASE_URL"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = (
        "from unstuck.web.commands import demo\n"
        "demo(clients=3, seed=1, host='127.0.0.1', port=8622, serve_after=False)\n"
        "from django.conf import settings\n"
        "print('SITE_URL', settings.SITE_URL)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "SITE_URL http://127.0.0.1:8622" in run.stdout
    # the logins name each role as the pages do, not by its code
    assert "  Clinic lead    user casey" in run.stdout
    assert "clinic_lead" not in run.stdout


@pytest.mark.django_db
def test_the_demo_shows_an_impasse_review_under_way_for_each_therapist(client) -> None:  # type: ignore[no-untyped-def]
    """The demo had no review or plan anywhere: its stuck and worsening clients could not show
    the 'why' and 'what next'. Each therapist's most urgent client whose scores are not moving
    has the review the form would suggest and a plan from its first strategies, dated at their
    latest session; the caseload's next step follows it."""
    from django.urls import reverse

    from unstuck.web.demo import reviews_under_way
    from unstuck.web.records import snapshots
    from unstuck.web.reviews import knowledge
    from unstuck.web.reviews.demo import NOT_MOVING, PLAN_STRATEGIES, REVIEW_AFTER

    load_demo(clients=40, seed=3)
    under_way = reviews_under_way()
    assert sorted(t for _, t in under_way) == ["alex", "sam"]
    for code, _ in under_way:
        record = Client.objects.get(code=code)
        assert record.flags[0] in NOT_MOVING
        assert record.status_rank in (1, 2)
        review = record.reviews.get()
        plan = review.plan
        last = record.last_session_on
        assert review.opened_at.date() == plan.created_at.date() == last
        assert plan.review_on == last + REVIEW_AFTER
        ratings = {r.reason_id: r.rating for r in review.reasons.all()}
        assert ratings
        assert max(ratings.values()) > 0
        ranked = [s.id for s in knowledge.rank(ratings, review.flags, {}) if not s.closure]
        assert [s.strategy_id for s in plan.strategies.all()] == ranked[:PLAN_STRATEGIES]
        if record.flags[0] in snapshots.SUGGESTS_REVIEW:
            assert record.next_action == snapshots.PLAN_MADE.format(
                made=last, review_on=plan.review_on
            )
        client.force_login(record.therapist)
        page = client.get(reverse("client", args=[record.pk])).content.decode()
        assert f"Plan made {last:%Y-%m-%d}" in page


@pytest.mark.django_db
def test_the_demos_therapists_closed_the_cases_of_clients_gone_four_weeks() -> None:
    """A clinic's team page shows early endings beside the planned ones; the demo's showed
    none, every client who stopped coming being still open. A dropout last seen attending
    over four weeks ago (`[last_seen] days`) is closed as ended early on their last booked
    session; one seen since stays open, for the caseload to flag."""
    import polars as pl

    from unstuck.synth import demo_clinic
    from unstuck.web.records.models import EndReason, Episode

    today = dt.date(2026, 12, 4)
    load_demo(clients=60, seed=7, today=today)
    table = demo_clinic(clients=60, seed=7, today=today)
    came = (
        table.observations.filter(pl.col("attendance").is_in(["attended", "late"]))
        .group_by("client_id")
        .agg(pl.col("date").max())
    )
    last_came = dict(came.iter_rows())
    dropouts = set(table.clients.filter(pl.col("dropped_out")).get_column("client_id"))
    early = dict(
        Episode.objects.filter(end_reason=EndReason.DROPPED_OUT).values_list(
            "client__code", "ended_on"
        )
    )
    gone = {c for c in dropouts if c in last_came and (today - last_came[c]).days > 28}
    assert set(early) == gone
    assert len(gone) == 2
    booked = dict(table.observations.group_by("client_id").agg(pl.col("date").max()).iter_rows())
    assert all(early[c] == booked[c] for c in early)
    still_open = Episode.objects.filter(client__code__in=dropouts - gone, ended_on__isnull=True)
    assert still_open.count() == len(dropouts - gone) > 0
    planned = Episode.objects.filter(end_reason=EndReason.COMPLETED).count()
    assert planned > len(early)
