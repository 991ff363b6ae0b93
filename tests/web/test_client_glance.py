"""The client page at a glance: status, at most two findings (safety first), the next step;
the chart's band around the expected course; each source cited once in the explanation."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web import vocabulary
from unstuck.web.records import charts, presenters, selectors
from unstuck.web.records.instruments import course_models, instruments

SAFETY = vocabulary.HEADLINES["safety"]


def phq9(total: int, risk: int = 0) -> list[int]:
    """Answers adding up to `total` on items 1-8 (each 0-3), with item 9 answered `risk`."""
    return [*(min(3, max(0, total - 3 * i)) for i in range(8)), risk]


OFF_TRACK = [phq9(t) for t in (15, 17, 18, 19, 20, 21)]


# -- the headline -----------------------------------------------------------------------


@pytest.mark.django_db  # the findings name measures from the installed instruments
def test_safety_comes_first_and_at_most_two_findings_are_shown() -> None:
    g = presenters.glance(
        "off_track", ["deterioration", "not_on_track", "safety", "plateau"], [], "Check in"
    )
    assert g.findings == [SAFETY, vocabulary.HEADLINES["deterioration"]]
    assert g.next_step == "Check in"
    assert g.status_words == "Off track"
    # the flags past the two findings are still named: the glance left two of four out
    assert g.also == ["Not on the expected course", "Progress has levelled off"]
    assert presenters.glance("at_risk", ["plateau", "withdrawal_risk"], [], "").also == []
    four = presenters.glance(
        "off_track",
        ["deterioration", "not_on_track", "plateau", "alliance_rupture"],
        [],
        "",
        {"plateau": ["gad7"], "deterioration": ["phq9"]},
    )
    assert four.also == ["Progress has levelled off (GAD-7)", "Strain in the working relationship"]


def test_an_open_alert_is_the_first_finding_even_without_the_flag() -> None:
    alert = object()  # an open alert from an earlier episode: only its presence counts
    g = presenters.glance("on_track", ["plateau", "withdrawal_risk"], [alert], "Call")  # type: ignore[list-item]
    assert g.findings == [SAFETY, vocabulary.HEADLINES["plateau"]]


def test_without_flags_the_status_says_where_the_scores_stand() -> None:
    on_track = presenters.glance("on_track", [], [], "Keep going; measure next session")
    assert on_track.findings == [vocabulary.STATUS_HEADLINES["on_track"]]
    safety_only = presenters.glance("at_risk", ["safety"], [], "Check in")
    assert safety_only.findings == [SAFETY, vocabulary.STATUS_HEADLINES["at_risk"]]
    # a safety answer alone puts the status off track; that is not a finding about the scores
    assert presenters.glance("off_track", ["safety"], [], "Check in").findings == [SAFETY]


def test_every_flag_and_status_has_a_short_plain_sentence() -> None:
    for code in [*vocabulary.FLAGS, *vocabulary.STATUSES]:
        sentence = vocabulary.headline(code)
        assert sentence.endswith("."), code
        assert len(sentence) <= 90, code
        assert "_" not in sentence, code


def test_the_page_puts_the_glance_first_with_safety_and_the_next_step(
    personas, make_client
) -> None:
    record = make_client("SYN-G1", [*OFF_TRACK, phq9(21, risk=2)])
    web = HttpClient()
    web.force_login(personas.therapist)
    body = web.get(reverse("client", args=[record.pk])).content.decode()
    top = body[body.index('class="glance"') : body.index('id="charts"')]
    findings = re.findall(r"<li>([^<]+)</li>", top)
    assert 1 <= len(findings) <= 2
    assert findings[0] == SAFETY
    assert len(record.flags) == 3  # safety, getting worse, not on the expected course
    assert "Also flagged: Not on the expected course (PHQ-9) (each explained below)." in top
    assert "Suggested next step:</strong> Check in about safety" in top
    assert body.index('class="glance"') < body.index('id="charts"') < body.index('id="why"')
    # the full explanation is one click away, and each source is cited once on the page
    details = body[
        body.index('<details class="explained"') : body.index(
            "</details>", body.index('<details class="explained"')
        )
    ]
    assert "<li>" in details
    source = instruments()["phq9"].change.source
    assert body.count(source.split(":")[0]) == 1
    assert body.count(source) == 1
    assert "(source 1)" in details or "(source 2)" in details
    assert course_models()["phq9"].source in details


def test_scales_that_share_a_citation_each_keep_their_own_rule_in_the_sources(db) -> None:  # type: ignore[no-untyped-def]
    """The PHQ-9 and GAD-7 cite the same manual; neither scale's rule may replace the other's."""
    from unstuck.progress.summary import Observation, summarise_client

    installed = instruments()
    rows = [Observation("phq9", 1, 18), Observation("phq9", 2, 11)]
    rows += [Observation("gad7", 1, 15), Observation("gad7", 2, 9)]
    result = summarise_client("C", rows, installed)
    explained = presenters.sources_cited(
        result.explanations, [], [installed["phq9"], installed["gad7"]]
    )
    short = installed["phq9"].change.source.split(":")[0]
    assert short == installed["gad7"].change.source.split(":")[0]
    entry = next(s for s in explained.sources if s.startswith(short))
    assert len([s for s in explained.sources if s.startswith(short)]) == 1
    assert "PHQ-9 score of 10 or more" in entry
    assert "GAD-7 score of 8 or more" in entry
    assert "points is reliable; a GAD-7 score" in entry  # one sentence, not ". a GAD-7"
    assert all(short not in sentence for sentence in explained.sentences)


def test_the_change_column_always_signs_the_change_and_says_which_way_it_goes(
    personas, make_client
) -> None:
    record = make_client("SYN-G9", [phq9(6), phq9(20)], feedback=[[9, 9, 9, 9], [5, 5, 5, 5]])
    web = HttpClient()
    web.force_login(personas.therapist)
    body = web.get(reverse("client", args=[record.pk])).content.decode()
    table = body[body.index('id="measures"') :]
    table = table[: table.index("</table>")]
    assert '<td data-label="Change">+14 (worse)</td>' in table  # PHQ-9: higher is worse
    assert '<td data-label="Change">-16 (worse)</td>' in table  # feedback: higher is better


def test_change_words_on_both_directions_and_at_zero(db) -> None:  # type: ignore[no-untyped-def]
    from unstuck.web.records.templatetags.vocabulary import change_words

    installed = instruments()
    assert change_words(-2.5, installed["phq9"]) == "-2.5 (better)"
    assert change_words(3, installed["session_feedback"]) == "+3 (better)"
    assert change_words(0, installed["phq9"]) == "0"


# -- the chart's band --------------------------------------------------------------------


def test_the_band_holds_the_middle_80_percent_on_both_sides_of_the_expected_course(
    personas, make_client
) -> None:
    record = make_client("SYN-G2", OFF_TRACK)
    sessions = selectors.episode_sessions(selectors.current_episode(record))
    chart = presenters.course_chart(instruments()["phq9"], sessions)
    assert chart is not None
    model = course_models()["phq9"]
    expected = dict(chart.lines[0].points)
    for s, low, high in chart.band:
        assert low < expected[s] < high  # an upper and a lower edge
        assert abs((low + high) / 2 - expected[s]) < 1e-9  # centred on the expected course
        assert low == model.limit(15, int(s), 0.1)
        assert high == model.limit(15, int(s), 0.9)
    limit = dict(chart.lines[1].points)
    for s, low, high in chart.zone:  # PHQ-9: lower is better, so the zone runs up to 27
        assert (low, high) == (limit[s], 27)


def test_the_drawn_band_lies_above_and_below_the_drawn_expected_line() -> None:
    course = [(1.0, 15.0), (2.0, 12.0), (3.0, 10.0)]
    chart = charts.Chart(
        title="t",
        summary="s",
        y_min=0,
        y_max=27,
        x_max=3,
        points=[(1, 15)],
        lines=[charts.Line(course, "expected", "expected course")],
        band=[(x, y - 4, y + 4) for x, y in course],
    )
    for frame in (charts.WIDE, charts.NARROW):
        svg = charts.render(chart, frame)
        band = re.search(r'<path class="course-band"[^>]* d="([^"]+)"', svg)
        line = re.search(r'<path class="expected"[^>]* d="([^"]+)"', svg)
        assert band
        assert line
        edge = [tuple(map(float, p.split(","))) for p in re.findall(r"[\d.]+,[\d.]+", band[1])]
        mid = [tuple(map(float, p.split(","))) for p in re.findall(r"[\d.]+,[\d.]+", line[1])]
        upper, lower = edge[:3], edge[3:][::-1]
        for (ux, uy), (lx, ly), (mx, my) in zip(upper, lower, mid, strict=True):
            assert ux == lx == mx
            assert uy < my < ly  # higher scores are drawn higher up: above and below
            assert abs((uy + ly) / 2 - my) < 0.11
        assert 'fill-opacity="0.18"' in band[0]  # clearly visible, not a 1% tint


def test_the_stylesheet_does_not_dim_the_band_again() -> None:
    from pathlib import Path

    import unstuck.web

    css = (Path(unstuck.web.__file__).parent / "static/unstuck/app.css").read_text()
    assert ".course-band" not in css
    assert ".chart .band" not in css


def test_the_phone_chart_keeps_its_text_at_11_px_on_a_375_px_screen() -> None:
    drawn_width = 375 - 2 * 16 - 2  # the page's padding and the chart's border
    assert charts.NARROW.font * drawn_width / charts.NARROW.width >= 11
    assert charts.WIDE.font * 641 / charts.WIDE.width >= 11  # wide from 641 px up


def test_a_reliably_recovered_client_is_offered_a_talk_about_ending(personas, make_client):
    """PHQ-9 20 -> 6 read 'Keep going; measure next session', as for any client on course."""
    from unstuck.web.records.snapshots import RECOVERED_ACTION

    recovered = make_client("C-REC", [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_MILD, PHQ9_MILD])
    assert recovered.status == "on_track"
    assert not recovered.flags
    assert (
        recovered.next_action
        == RECOVERED_ACTION
        == ("Reliably recovered: talk together about how and when to end")
    )
    still = make_client("C-STILL", [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_SEVERE])
    assert still.next_action != RECOVERED_ACTION


def test_no_talk_about_ending_while_another_measure_is_a_case(personas) -> None:
    """PHQ-9 reliably recovered, but the GAD-7, which started below its cutoff of 8, has risen
    to 9: "Reliably recovered: talk together about how and when to end" was offered."""
    import datetime as dt

    from unstuck.web.records import services
    from unstuck.web.records.snapshots import RECOVERED_ACTION

    def answers(total: int, k: int) -> list[int]:
        return [min(3, max(0, total - 3 * i)) for i in range(k)]

    for code, gad_last in (("C-GAD9", 9), ("C-GAD6", 6)):
        record = services.create_client(
            therapist=personas.therapist, code=code, started_on=dt.date(2026, 1, 5)
        )
        for i, (phq, gad) in enumerate(zip([18, 12, 6, 4], [7, 7, 7, gad_last], strict=True)):
            services.record_session(
                user=personas.therapist,
                client=record,
                data=services.SessionInput(
                    date=dt.date(2026, 1, 5) + dt.timedelta(days=7 * i),
                    attendance="attended",
                    answers={"phq9": answers(phq, 9), "gad7": answers(gad, 7)},
                ),
            )
        record.refresh_from_db()
        assert record.measures["phq9"]["reliably_recovered"] is True
        assert (record.next_action == RECOVERED_ACTION) is (gad_last < 8), code


def test_a_flag_names_the_measure_that_raised_it_on_the_caseload_and_at_a_glance(
    client: HttpClient, personas
) -> None:
    """PHQ-9 15 -> 8 (recovered) beside 'Progress has levelled off': it was the GAD-7."""
    import datetime as dt

    from unstuck.web.records import services

    def answers(total: int, k: int) -> list[int]:
        return [min(3, max(0, total - 3 * i)) for i in range(k)]

    record = services.create_client(
        therapist=personas.therapist, code="C-NAMED", started_on=dt.date(2026, 1, 5)
    )
    for i, (phq, gad) in enumerate(
        zip([15, 12, 10, 9, 8, 8], [12, 13, 12, 12, 12, 13], strict=True)
    ):
        services.record_session(
            user=personas.therapist,
            client=record,
            data=services.SessionInput(
                date=dt.date(2026, 1, 5) + dt.timedelta(days=7 * i),
                attendance="attended",
                answers={"phq9": answers(phq, 9), "gad7": answers(gad, 7)},
            ),
        )
    client.force_login(personas.therapist)
    row = client.get(reverse("caseload")).content.decode()
    assert (
        '<span class="flag plateau">Progress has levelled off <span class="nowrap">(GAD-7)</span>'
    ) in row
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    assert (
        "<li>GAD-7 (12 at session 1, 13 at session 6): progress has levelled off without "
        "reliable improvement.</li>"
    ) in page


def test_a_flag_raised_by_no_one_measure_is_not_led_by_a_bare_colon() -> None:
    """Missed sessions raise the withdrawal flag with no measure (its instrument is ""): the
    glance read ": recent attendance or feedback suggests engagement may be slipping"."""
    g = presenters.glance(
        "at_risk", ["withdrawal_risk"], [], "Reach out", {"withdrawal_risk": [""]}, {}
    )
    assert g.findings == [vocabulary.headline("withdrawal_risk")]


def test_the_early_response_note_is_named_at_a_glance_with_its_next_step(
    client: HttpClient, personas, make_client
) -> None:
    """PHQ-9 22, 23, 21 by session 3: the note said "review together how therapy is going",
    but only in the collapsed explanation; the glance said "Scores are following the expected
    course" and the next step "Keep going; measure next session"."""
    from unstuck.web.records.snapshots import EARLY_ACTION

    def phq(total: int) -> list[int]:
        return [min(3, max(0, total - 3 * i)) for i in range(8)] + [0]

    record = make_client("C-EARLY", [phq(22), phq(23), phq(21)])
    assert (record.status, record.flags) == ("on_track", [])
    assert record.next_action == EARLY_ACTION
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[record.pk])).content.decode()
    glance = page[page.index('<section class="glance"') :]
    glance = glance[: glance.index("</section>")]
    assert vocabulary.headline("early_response") in glance
    assert "Scores are following the expected course" not in glance
    assert EARLY_ACTION in glance
