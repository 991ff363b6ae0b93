"""A client's stored status is made by the rules in use: when the rules change (an upgrade, a
clinic's thresholds file), the client page remakes it before showing it, and `unstuck serve`
remakes every stale one before it starts; with the rules unchanged, pages read it as stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from unstuck.web.records.instruments import rules_version, thresholds
from unstuck.web.records.models import Client
from unstuck.web.records.snapshots import SNAPSHOT_FIELDS as SNAPSHOT
from unstuck.web.records.snapshots import refresh_stale

FLAT_13 = [2, 2, 2, 1, 2, 1, 1, 2, 0]  # PHQ-9 13, clearly in the clinical range


@pytest.fixture(autouse=True)
def shipped_thresholds() -> Iterator[None]:
    thresholds.cache_clear()
    yield
    thresholds.cache_clear()


@pytest.fixture
def clinic_rules(settings, tmp_path: Path) -> Callable[[bool], str]:
    """Switch between the shipped thresholds and the clinic's own file (a plateau from 3
    scores; the shipped rule needs 6), as a restart with UNSTUCK_THRESHOLDS_FILE would; gives
    the fingerprint of the rules then in use."""
    shipped = (resources.files("unstuck.progress") / "thresholds.toml").read_text()
    assert "min_sessions = 6" in shipped
    own = tmp_path / "thresholds.toml"
    own.write_text(shipped.replace("min_sessions = 6", "min_sessions = 3"))

    def use(clinic_file: bool) -> str:
        settings.THRESHOLDS_FILE = str(own) if clinic_file else None
        thresholds.cache_clear()
        return rules_version()

    return use


@pytest.mark.django_db
def test_a_snapshot_names_the_rules_it_was_made_with(make_client) -> None:
    record = make_client("C-700", [FLAT_13] * 3)
    assert record.rules_version == rules_version() != ""
    assert refresh_stale() == 0  # nothing to remake


def test_the_client_page_remakes_a_status_made_by_other_rules(
    client: HttpClient, personas, make_client, clinic_rules
) -> None:
    shipped = clinic_rules(False)
    record = make_client("C-701", [FLAT_13] * 3)
    assert (record.rules_version, "plateau" in record.flags) == (shipped, False)
    clinics = clinic_rules(True)
    assert clinics != shipped
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    record.refresh_from_db()
    assert (record.rules_version, "plateau" in record.flags) == (clinics, True)  # stored
    assert "Progress has levelled off: PHQ-9 has 3 scores" in page
    caseload = client.get(reverse("caseload")).content.decode()
    assert "Revisit goals together" in caseload  # the caseload reads the remade status


def test_serve_remakes_every_stale_status_before_it_starts(
    make_client, clinic_rules, monkeypatch
) -> None:
    from unstuck.web.records import snapshots

    clinic_rules(False)
    made = [make_client(code, [FLAT_13] * 3) for code in ("C-702", "C-703", "C-704")]
    clinics = clinic_rules(True)
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(snapshots, "BATCH", 2)  # remade two at a time: 2, then 1
    assert refresh_stale(lambda done, total: seen.append((done, total))) == 3
    assert seen == [(0, 3), (2, 3), (3, 3)]
    for record in made:
        record.refresh_from_db()
        assert (record.rules_version, "plateau" in record.flags) == (clinics, True)
    assert refresh_stale() == 0
    assert Client.objects.filter(rules_version=clinics).count() == 3


def test_a_client_with_too_few_scores_is_asked_for_a_measure_not_a_second_one(
    make_client,
) -> None:
    """With no score yet, 'Collect a second measure' asked for a second of none."""
    for code, sessions in (("N-0", []), ("N-1", [[1, 1, 1, 1, 1, 1, 0, 0, 0]])):
        client = make_client(code, sessions)
        assert client.status == "insufficient_data"
        assert client.next_action == (
            "Measure at the next session: progress is judged from two scores"
        )


def test_the_rules_version_changes_with_the_rules_code(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A rule changed in code (a plateau no longer raised beside a reliable worsening) left
    every stored status as the old code made it, as the version number had not changed."""
    from unstuck.web.records import instruments as module

    before = rules_version()
    assert len(module.rules_code()) == 64
    monkeypatch.setattr(module, "rules_code", lambda: "other code")
    monkeypatch.setattr(module, "_fingerprint", None)
    assert rules_version() != before


def test_statuses_remade_together_are_those_each_save_made(personas, make_client) -> None:
    """An import, and new rules at start-up, remake many statuses a batch at a time; each
    must be the one the client's own save made: an open alert and a checked one, an ended
    episode, a voided session, a review begun, no session at all."""
    import datetime as dt

    from personas import PHQ9_MILD, PHQ9_SEVERE
    from unstuck.web.records import corrections, services, snapshots
    from unstuck.web.records.alerts import record_safety_check
    from unstuck.web.records.models import CheckOutcome
    from unstuck.web.reviews import services as reviews

    safety = [1, 1, 1, 1, 1, 1, 0, 0, 2]
    alex = personas.therapist
    make_client("C-801", [PHQ9_SEVERE, FLAT_13, PHQ9_MILD])  # improving
    make_client("C-802", [PHQ9_MILD, FLAT_13, PHQ9_SEVERE])  # getting worse
    make_client("C-803", [FLAT_13, safety])  # an alert open
    checked = make_client("C-804", [safety, FLAT_13])
    record_safety_check(user=alex, client=checked, outcome=CheckOutcome.NO_CURRENT_RISK)
    ended = make_client("C-805", [PHQ9_SEVERE, FLAT_13])
    services.end_episode(user=alex, client=ended, ended_on=dt.date(2026, 2, 1), reason="completed")
    voided = make_client("C-806", [PHQ9_SEVERE, FLAT_13, PHQ9_MILD])
    corrections.void_session(user=alex, client=voided, number=3, reason="another client's")
    worse = make_client("C-807", [PHQ9_MILD, PHQ9_SEVERE, PHQ9_SEVERE])
    reviews.open_review(user=alex, client=worse, ratings={"goals_misfit": (3, "")})
    make_client("C-808", [])  # no session yet
    for record in Client.objects.all():  # one at a time, as a save does
        snapshots.refresh_status(record)
    by_save = {c.code: [getattr(c, f) for f in SNAPSHOT] for c in Client.objects.all()}
    assert len({str((v[0], v[2], v[9])) for v in by_save.values()}) >= 7  # varied enough
    Client.objects.update(  # every snapshot field blank again
        status="on_track",
        status_rank=9,
        flags=[],
        flag_measures={},
        explanations=[],
        measures={},
        trend=[],
        sessions_count=0,
        last_session_on=None,
        next_action="",
        safety_alert_at=None,
        rules_version="",
    )
    remade = snapshots.refresh_statuses(
        list(Client.objects.order_by("-pk").values_list("pk", flat=True))
    )
    assert [c.code for c in remade] == sorted(by_save, reverse=True)  # in the order given
    together = {c.code: [getattr(c, f) for f in SNAPSHOT] for c in Client.objects.all()}
    assert together == by_save
    # and each is what the rules say, written out (not only the same on both paths)
    seen = {c: dict(zip(SNAPSHOT, v, strict=True)) for c, v in together.items()}
    assert seen["C-803"]["flags"] == ["safety"]
    assert seen["C-803"]["status_rank"] == 0
    assert seen["C-803"]["next_action"].startswith("Check in about safety: PHQ-9 item 9")
    assert "safety" not in seen["C-804"]["flags"]
    assert seen["C-804"]["safety_alert_at"] is None
    assert seen["C-802"]["next_action"] == "Talk it over together and consider an impasse review"
    assert seen["C-807"]["next_action"].startswith("Talk it over together and finish the impasse")
    assert seen["C-805"]["next_action"].startswith("The episode of care has ended")
    assert seen["C-806"]["sessions_count"] == 2  # the voided third session counts for nothing
    assert seen["C-808"]["status"] == "insufficient_data"
    assert [seen[c]["status_rank"] for c in ("C-801", "C-802", "C-808")] == [3, 1, 4]


def test_clients_of_two_clinics_with_one_code_keep_their_own_status(personas, make_client) -> None:
    """New rules remake every clinic's statuses together: a code used in two clinics must not
    give one client the other's status."""
    from personas import PHQ9_MILD, PHQ9_SEVERE
    from unstuck.web.accounts.models import Clinic, Role, User
    from unstuck.web.records import snapshots

    elsewhere = User.objects.create_user(
        "robin",
        password="x",
        clinic=Clinic.objects.create(name="Another clinic"),
        role=Role.THERAPIST,
    )
    here = make_client("C-900", [PHQ9_MILD, FLAT_13, PHQ9_SEVERE])
    there = make_client("C-900", [PHQ9_SEVERE, FLAT_13, PHQ9_MILD], therapist=elsewhere)
    Client.objects.update(rules_version="")
    snapshots.refresh_statuses([here.pk, there.pk])
    here.refresh_from_db()
    there.refresh_from_db()
    assert (here.status, there.status) == ("off_track", "on_track")
