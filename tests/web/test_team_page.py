"""The supervisor's team page: aggregates of their therapists' clients; a 404 for others."""

from __future__ import annotations

import datetime as dt

from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web.accounts.models import AuditEntry
from unstuck.web.records import services as records

MODERATE = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14


def _team(personas, make_client) -> None:
    # alex: five clients from 20 to 6 (improved, recovered), one from 6 to 20 (worse)
    for i in range(5):
        make_client(f"SYN-A{i}", [PHQ9_SEVERE, MODERATE, PHQ9_MILD])
    make_client("SYN-A9", [PHQ9_MILD, PHQ9_SEVERE])
    # sam: one client who ended early, one with a single score
    ended = make_client("SYN-S1", [PHQ9_SEVERE, MODERATE], therapist=personas.colleague)
    records.end_episode(
        user=personas.colleague, client=ended, ended_on=dt.date(2026, 2, 1), reason="dropped_out"
    )
    make_client("SYN-S2", [MODERATE], therapist=personas.colleague)


def test_a_supervisor_sees_the_teams_figures_and_can_export_them(
    client: HttpClient, personas, make_client
) -> None:
    _team(personas, make_client)
    client.force_login(personas.supervisor)
    page = client.get(reverse("team")).content.decode()
    assert "How your team's clients are doing" in page
    assert "5 of 6 (83%; 95% interval" in page  # reliably improved, all of alex's and team
    assert "too few to show" in page  # sam has one client with two scores
    assert "no verdict on either" in page
    assert "SYN-A1" not in page  # aggregates only
    csv = client.get(reverse("team_csv"))
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("group,clients,compared,improved")
    rows = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    assert rows["All"][1:4] == ["8", "7", "6"]  # 8 clients, 7 with two scores, 6 improved
    assert rows["All"][8:10] == ["1", "1"]  # one ended, early
    assert set(rows) == {"All", "Alex", "Sam"}
    assert AuditEntry.objects.filter(action="export_team_figures").count() == 1


def test_the_team_page_is_a_404_for_everyone_but_supervisors(client: HttpClient, personas) -> None:
    for someone in (personas.therapist, personas.colleague, personas.administrator):
        client.force_login(someone)
        assert client.get(reverse("team")).status_code == 404
        assert client.get(reverse("team_csv")).status_code == 404
    client.logout()
    assert client.get(reverse("team")).status_code == 302  # to the login page


def test_another_supervisor_sees_none_of_this_team(
    client: HttpClient, personas, make_client
) -> None:
    _team(personas, make_client)
    client.force_login(personas.outsider)
    lines = client.get(reverse("team_csv")).content.decode().splitlines()
    assert lines[1].startswith("All,0,0,")
    assert len(lines) == 2


SAFETY = [1, 1, 1, 1, 1, 1, 0, 0, 2]  # a safety answer: raises an alert


def test_the_page_shows_quarters_retention_completion_and_open_alerts(
    client: HttpClient, personas, make_client
) -> None:
    _team(personas, make_client)
    client.force_login(personas.supervisor)
    page = client.get(reverse("team")).content.decode()
    # the columns say which measure they judge (the caseload's "Getting worse" is any measure)
    assert page.count('<th scope="col">Reliably worse (PHQ-9)</th>') == 2
    # over time: everyone was seen in 2026 Q1
    assert '<th scope="row">2026 Q1</th><td>8</td><td>7</td><td>6</td>' in page
    assert 'role="img" aria-label="Clients seen, reliably improved and ended early' in page
    # retention: after 2 sessions 7 in the count, 1 ended early, 1 last seen: 6/7, with its
    # exponential Greenwood interval by hand: var sum 1/(7*6), on the log(-log) scale
    assert '<th scope="row">2</th><td>7</td><td>1</td><td>1</td><td>86% ' in page
    assert '<span class="muted">(33-98%)</span>' in page
    # before anyone ended early the share is 100% with no spread: no "(100-100%)"
    assert '<th scope="row">1</th><td>8</td><td>0</td><td>1</td><td>100%</td>' in page
    assert "Of 8 episodes, 1 ended early without agreement" in page
    # completion: every attended session had a PHQ-9
    assert "<td>PHQ-9</td><td>20 of 20 (100%)</td>" in page
    lines = client.get(reverse("team_csv") + "?table=retention").content.decode().splitlines()
    assert lines == [
        "sessions,still_in_count,ended_early,last_seen_here,share_still_attending,share_lower_95,share_upper_95",
        "1,8,0,1,1.0000,1.0000,1.0000",
        "2,7,1,1,0.8571,0.3341,0.9786",
        "3,5,0,5,0.8571,0.3341,0.9786",
    ]
    quarters = client.get(reverse("team_csv") + "?table=quarters").content.decode()
    assert quarters.splitlines()[1] == "2026 Q1,8,7,6,5,6,1,1,1"
    completion = client.get(reverse("team_csv") + "?table=completion").content.decode()
    assert "All,phq9,20,20" in completion.splitlines()
    bad = client.get(reverse("team_csv") + "?table=nope")
    assert bad.status_code == 400
    assert "no table called 'nope'" in bad.content.decode()
    # a safety answer not yet followed up counts for its therapist, until a check closes it
    make_client("SYN-S3", [SAFETY], therapist=personas.colleague)
    rows = {
        line.split(",")[0]: line.split(",")
        for line in client.get(reverse("team_csv")).content.decode().splitlines()[1:]
    }
    assert (rows["All"][-1], rows["Sam"][-1], rows["Alex"][-1]) == ("1", "1", "0")


def test_too_few_episodes_withhold_the_curve(client: HttpClient, personas, make_client) -> None:
    make_client("SYN-A1", [PHQ9_SEVERE, PHQ9_MILD])
    client.force_login(personas.supervisor)
    page = client.get(reverse("team")).content.decode()
    assert "The curve needs at least 5 episodes; there are 1." in page
    assert 'id="team-retention"' not in page


def _lead(personas):  # type: ignore[no-untyped-def]
    from unstuck.web.accounts.models import Role, User

    return User.objects.create_user(
        "casey", password="x", clinic=personas.clinic, role=Role.CLINIC_LEAD, first_name="Casey"
    )


def test_the_clinic_lead_sees_every_therapists_figures_and_no_record(
    client: HttpClient, personas, make_client
) -> None:
    _team(personas, make_client)
    # A therapist outside the supervisor's team: the lead sees their clients too.
    from unstuck.web.accounts.models import Role, User

    other = User.objects.create_user(
        "robin", password="x", clinic=personas.clinic, role=Role.THERAPIST, first_name="Robin"
    )
    solo = make_client("SYN-R1", [PHQ9_SEVERE, PHQ9_MILD], therapist=other)
    client.force_login(_lead(personas))
    assert client.get(reverse("caseload"))["Location"] == reverse("team")  # lands on figures
    page = client.get(reverse("team")).content.decode()
    assert "How the clinic's clients are doing" in page
    assert "SYN-A1" not in page  # aggregates only
    assert "SYN-R1" not in page
    rows = {
        line.split(",")[0]: line.split(",")
        for line in client.get(reverse("team_csv")).content.decode().splitlines()[1:]
    }
    assert set(rows) == {"All", "Alex", "Sam", "Robin"}
    assert rows["All"][1] == "9"  # the supervisor's 8 and Robin's one
    # No client's record, and no caseload of clients.
    assert client.get(reverse("client", args=[solo.pk])).status_code == 404
    assert client.get(reverse("review_new", args=[solo.pk])).status_code == 404
    # The supervisor still sees only their team.
    client.force_login(personas.supervisor)
    lines = client.get(reverse("team_csv")).content.decode().splitlines()[1:]
    assert {line.split(",")[0] for line in lines} == {"All", "Alex", "Sam"}


def _course_one_by_one(client):  # type: ignore[no-untyped-def]
    """A client's Course read through the client page's own selectors, one client at a time."""
    from unstuck.web.records import selectors
    from unstuck.web.reviews import selectors as reviews
    from unstuck.web.reviews.team import Seen, course

    episode = selectors.current_episode(client)
    sessions = [
        Seen(s.date, s.attendance, [(r.instrument, r.total) for r in s.responses.all()])
        for s in (selectors.episode_sessions(episode) if episode else [])
    ]
    return course(
        client,
        episode,
        sessions,
        plans_due=reviews.due_plans([client]).count(),
        alerts_open=client.safety_alerts.filter(safety_check__isnull=True).count(),
    )


def test_the_team_is_read_in_the_same_few_queries_for_any_number_of_clients(
    personas, make_client, django_assert_max_num_queries
) -> None:
    """One query per client made a clinic lead's page of 1,000 clients take 5 seconds. Read
    together, each client's course is still the one its own selectors give: the episode begun
    last, its sessions less the voided, open alerts only."""
    from unstuck.web.records import corrections
    from unstuck.web.records.alerts import record_safety_check
    from unstuck.web.records.models import CheckOutcome, Client, Episode
    from unstuck.web.reviews.team import _courses_of

    _team(personas, make_client)
    flagged = make_client("SYN-S3", [SAFETY, MODERATE], therapist=personas.colleague)
    corrections.void_session(
        user=personas.colleague, client=flagged, number=2, reason="entered for the wrong client"
    )
    checked = make_client("SYN-S4", [SAFETY], therapist=personas.colleague)
    record_safety_check(
        user=personas.colleague, client=checked, outcome=CheckOutcome.NO_CURRENT_RISK
    )
    later = make_client("SYN-A8", [PHQ9_SEVERE, MODERATE])
    Episode.objects.create(client=later, started_on=dt.date(2026, 6, 1))  # begun last: current
    clients = Client.objects.all()
    with django_assert_max_num_queries(8):
        together = _courses_of(clients)
    assert together == [_course_one_by_one(c) for c in clients.order_by("pk")]
    by_code = {c.client: c for c in together}
    assert len(by_code["SYN-S3"].sessions) == 1  # the voided session counts for nothing
    assert by_code["SYN-S3"].alerts_open == 1
    assert by_code["SYN-S4"].alerts_open == 0  # checked
    assert by_code["SYN-A8"].sessions == ()  # the new episode has none yet
    assert by_code["SYN-S1"].ended == "dropped_out"
