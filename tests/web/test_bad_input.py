"""Bad input gets a form error or a 404, never a 500, and the same on SQLite and PostgreSQL
(issue 15, "500s on bad input"). Run on PostgreSQL with DATABASE_URL set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD
from unstuck.web.instruments.models import ClinicInstrument
from unstuck.web.records import services
from unstuck.web.records.instruments import reload_instruments
from unstuck.web.records.models import Client
from unstuck.web.reviews.models import Reflection
from unstuck.web.validation import parse_id, search_text

DEFINITION = """
id = "{id}"
name = "{name}"
description = "A made-up two-item scale."
higher_is_better = true
license = "Placeholder."
options = [{{value = 0, label = "Never"}}, {{value = 1, label = "Sometimes"}}]
items = [
  {{number = 1, text = "Item one placeholder"}},
  {{number = 2, text = "Item two placeholder"}},
]
"""
NOT_IDS = ["\u00b2", "\u0663", "9" * 5000, "9" * 30, "12a", "-1", " 1", "1.0", "%00"]


@pytest.fixture
def record(make_client):
    return make_client("C-100", [PHQ9_MILD, PHQ9_MILD])


@pytest.fixture
def http(client: HttpClient) -> HttpClient:
    client.raise_request_exception = False  # a 500 is a status to assert, not an error
    return client


# -- searches and ids in the address ---------------------------------------------------------


@pytest.mark.parametrize("query", ["%00", "C-1%00", "%0A", "%E2%80%AE", "x" * 3000])
def test_a_search_with_a_nul_or_control_character_is_answered(
    http: HttpClient, personas, record, query: str
) -> None:
    http.force_login(personas.therapist)
    response = http.get(f"/?q={query}")
    assert response.status_code == 200
    http.force_login(personas.administrator)
    assert http.get(f"/audit/?client={query}").status_code == 200


def test_a_search_still_finds_a_client_around_a_nul(http: HttpClient, personas, record) -> None:
    http.force_login(personas.therapist)
    assert "C-100" in http.get("/?q=C-1%0000").content.decode()


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_client_id_that_is_not_one_is_a_404_on_reflections(
    http: HttpClient, personas, record, value: str
) -> None:
    http.force_login(personas.therapist)
    url = reverse("reflections") + f"?client={value}"
    assert http.get(url).status_code == 404
    response = http.post(url, {"frustration": "1", "note": "strained"})
    assert response.status_code == 404
    assert not Reflection.objects.exists()


def test_a_real_client_id_still_opens_reflections(http: HttpClient, personas, record) -> None:
    http.force_login(personas.therapist)
    response = http.get(reverse("reflections") + f"?client={record.pk}")
    assert response.status_code == 200
    assert "C-100" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/clients/{big}/",
        "/clients/{big}/sessions/new/",
        "/clients/{big}/goals/",
        "/clients/{big}/review/",
        "/clients/{big}/consultation/",
        "/clients/{big}/close/",
        "/clients/{pk}/letters/{big}/",
        "/reviews/{big}/",
        "/goals/{big}/revise/",
        "/plan-strategies/{big}/result/",
    ],
)
@pytest.mark.parametrize("big", ["9" * 19, "9" * 30, "9" * 5000])
def test_an_id_in_the_address_too_large_for_a_key_is_a_404(
    http: HttpClient, personas, record, path: str, big: str
) -> None:
    http.force_login(personas.therapist)
    url = path.format(big=big, pk=record.pk)
    assert http.get(url).status_code == 404
    assert http.post(url, {}).status_code == 404


@pytest.mark.parametrize("alerts", [v for v in NOT_IDS if v.strip() != "1"])  # spaces are fine
def test_a_damaged_list_of_safety_alerts_is_refused_in_words(
    http: HttpClient, personas, make_client, alerts: str
) -> None:
    from unstuck.web.records.forms import ALERT_IDS
    from unstuck.web.records.models import SafetyCheck

    risk = make_client("C-RISK", [[*PHQ9_MILD[:8], 1]])
    http.force_login(personas.therapist)
    url = reverse("safety_check", args=[risk.pk])
    response = http.post(url, {"outcome": "no_current_risk", "alerts": f"1,{alerts}"})
    assert response.status_code == 200
    assert ALERT_IDS in response.content.decode().replace("&#x27;", "'")
    assert not SafetyCheck.objects.exists()


def test_ids_and_searches_are_parsed_as_plain_digits_and_text() -> None:
    assert [parse_id(v) for v in ["7", "007", "9" * 18]] == [7, 7, int("9" * 18)]
    assert [parse_id(v) for v in [*NOT_IDS, "", None, "9" * 19]] == [None] * (len(NOT_IDS) + 3)
    assert search_text(" C-1\x00\u202e2\n ") == "C-12"


# -- the client form and service -----------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["C-1\n2", "C-\r1", "C-\x001", "C\t1", "C-\u202e1", "C-\u20281", "C-\x1b[31m"]
)
def test_a_client_code_with_a_control_character_is_refused(
    http: HttpClient, personas, code: str
) -> None:
    http.force_login(personas.therapist)
    response = http.post(reverse("client_new"), {"code": code, "started_on": "2026-01-05"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "control character" in body or "Null characters are not allowed" in body
    assert not Client.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.create_client(therapist=personas.therapist, code=code, started_on=None)  # type: ignore[arg-type]
    assert "code" in caught.value.message_dict
    assert not Client.objects.exists()


def test_a_name_with_a_line_break_is_refused_and_a_clean_one_kept(
    http: HttpClient, personas
) -> None:
    http.force_login(personas.therapist)
    data = {"code": "C-7", "started_on": "2026-01-05", "name": "Ann\nB"}
    assert http.post(reverse("client_new"), data).status_code == 200
    assert not Client.objects.exists()
    data["name"] = "Ann-Marie O'Neil \u00e9"
    assert http.post(reverse("client_new"), data).status_code == 302
    assert Client.objects.get().name == "Ann-Marie O'Neil \u00e9"


def test_a_code_differing_only_in_capitals_is_refused(http: HttpClient, personas) -> None:
    """ "syn-000003" was taken beside "SYN-000003": a session easily goes to the wrong one."""
    http.force_login(personas.therapist)
    data = {"code": "SYN-000003", "started_on": "2026-01-05"}
    assert http.post(reverse("client_new"), data).status_code == 302
    again = http.post(reverse("client_new"), {**data, "code": "syn-000003"})
    assert again.status_code == 200
    assert "already has the code &#x27;SYN-000003&#x27;" in again.content.decode()
    assert list(Client.objects.values_list("code", flat=True)) == ["SYN-000003"]


@pytest.mark.parametrize(
    ("field", "value"), [("code", "C" * 41), ("name", "n" * 201), ("contact", "c" * 201)]
)
def test_the_service_refuses_what_does_not_fit_on_either_database(
    personas, field: str, value: str
) -> None:
    given = {"code": "C-1", field: value}
    with pytest.raises(ValidationError) as caught:
        services.create_client(therapist=personas.therapist, started_on=None, **given)  # type: ignore[arg-type]
    assert "characters long" in caught.value.message_dict[field][0]
    assert not Client.objects.exists()


def test_a_note_keeps_its_line_breaks_but_not_other_control_characters(
    http: HttpClient, personas, record
) -> None:
    http.force_login(personas.therapist)
    url = reverse("reflections") + f"?client={record.pk}"
    assert http.post(url, {"frustration": "1", "note": "tired\x07"}).status_code == 200
    assert not Reflection.objects.exists()
    assert http.post(url, {"frustration": "1", "note": "tired\r\n\tand slow"}).status_code == 302
    assert Reflection.objects.get().note == "tired\r\n\tand slow"


# -- instrument uploads ----------------------------------------------------------------------


@pytest.fixture
def fresh_instruments() -> Iterator[None]:
    reload_instruments()
    yield
    reload_instruments()


def upload(http: HttpClient, text: str, name: str = "scale.toml"):
    file = SimpleUploadedFile(name, text.encode(), content_type="application/toml")
    return http.post(reverse("instruments"), {"definition": file})


@pytest.mark.usefixtures("fresh_instruments")
@pytest.mark.parametrize(
    ("instrument_id", "name", "filename", "message"),
    [
        ("s" * 41, "Scale", "scale.toml", "at id: id is 41 characters long; at most 40 fit"),
        ("scale2", "N" * 201, "scale.toml", "at name: name is 201 characters long; at most 200"),
        ("scale2", "Scale", "f" * 201 + ".toml", "filename is 206 characters long; at most 200"),
        ("scale2", "Sca\\nle", "scale.toml", "name holds a line break"),
    ],
)
def test_an_instrument_that_does_not_fit_is_refused_on_either_database(
    http: HttpClient, personas, instrument_id: str, name: str, filename: str, message: str
) -> None:
    http.force_login(personas.administrator)
    response = upload(http, DEFINITION.format(id=instrument_id, name=name), filename)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ClinicInstrument.objects.exists()


@pytest.mark.usefixtures("fresh_instruments")
def test_an_instrument_at_the_limits_is_stored(
    http: HttpClient, personas, django_capture_on_commit_callbacks
) -> None:
    http.force_login(personas.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(http, DEFINITION.format(id="s" * 40, name="N" * 200))
    assert response.status_code == 302
    assert ClinicInstrument.objects.get().instrument_id == "s" * 40


# -- the administration screens ----------------------------------------------------------------

HOSTILE = ["\x00", "a\x00b", "x" * 5000, "9" * 50, "-1", "\uff11\uff12", "\u00b2", "\u202e", "\r\n"]


def test_the_administration_screens_answer_hostile_values_without_a_500(
    http: HttpClient, personas
) -> None:
    """Every field of the administrator's forms and every filter of their lists, sent NUL
    bytes, huge or non-ASCII numbers and control characters: a form error or an empty list,
    never a 500 (a NUL in the audit list's action filter was one, on PostgreSQL)."""
    from personas import make_admin
    from unstuck.web.portal.models import PortalSettings

    http.force_login(make_admin("root", personas.clinic))
    portal = PortalSettings.objects.create(clinic=personas.clinic)
    password = {"password1": "a-long-pass-phrase-2026", "password2": "a-long-pass-phrase-2026"}
    screens = {
        reverse("admin:accounts_user_add"): ["username", "clinic", "role", "supervisor"],
        reverse("admin:accounts_user_change", args=[personas.therapist.pk]): [
            "username",
            "first_name",
            "email",
            "clinic",
            "role",
            "supervisor",
            "is_active",
        ],
        reverse("admin:accounts_clinic_change", args=[personas.clinic.pk]): ["name"],
        reverse("admin:portal_portalsettings_change", args=[portal.pk]): [
            "clinic",
            "expiry_days",
            "reminder_days",
            "safety_message",
        ],
        reverse("admin:accounts_user_changelist"): ["q", "role", "is_active__exact", "p"],
        reverse("admin:axes_accessattempt_changelist"): ["q", "attempt_time__gte", "p"],
    }
    failed = []
    for url, fields in screens.items():
        for field in fields:
            for value in HOSTILE:
                sent = [http.get(url, {field: value})]
                if "changelist" not in url:
                    sent.append(http.post(url, {"username": "zz", **password, field: value}))
                failed += [
                    (url, field, value[:8], r.status_code) for r in sent if r.status_code >= 500
                ]
    assert not failed, failed


def test_the_accounts_list_still_filters_by_role(http: HttpClient, personas) -> None:
    from personas import make_admin

    http.force_login(make_admin("root", personas.clinic))
    users = reverse("admin:accounts_user_changelist")
    listed = http.get(users, {"role": "supervisor"}).context["cl"].result_list
    assert sorted(u.username for u in listed) == ["jordan", "riley"]
    assert not http.get(users, {"role": "supervisor\x00"}).context["cl"].result_list
