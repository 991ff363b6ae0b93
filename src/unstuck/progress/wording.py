"""The sentences that explain a client's numbers, shared by the per-client and batch paths.

Each template uses positional ``{}`` fields so that the same text serves Python's
`str.format` (one client at a time) and `polars.format` (a whole caseload at once); a test
checks that both paths give identical sentences. Wording is plain and never blames the client.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import polars as pl

# Each flag (and note) in plain words, for sentences and screens; the codes stay in the CLI's
# JSON and CSV. Every explanation sentence of a flag is led by its name here, so the caseload,
# the client page, the review and the consultation summary call a flag by one term.
FLAG_NAMES: dict[str, str] = {
    "safety": "Safety answer",
    "deterioration": "Getting worse",
    "not_on_track": "Not on the expected course",
    "plateau": "Progress has levelled off",
    "slow_response": "Little improvement so far",
    "alliance_rupture": "Strain in the working relationship",
    "withdrawal_risk": "Signs of pulling away",
    "early_response": "Little early improvement",
}

# A measure with a single score so far.
ONE_SCORE = "{}: one score so far ({} at session {}); change can be judged from the next one."
# name, first (label), first occasion, last (label), last occasion, n, signed change (points)
CHANGE = "{}: {} at session {}, {} at session {} ({} scores), a change of {}."
IMPROVED = "That is reliable improvement: {}."
DETERIORATED = "That is reliable deterioration: {}."
UNCHANGED = "That is within measurement error, so not a reliable change: {}."
NO_RULE = "No reliable-change threshold is defined for this measure, so change is not judged."
RELIABLY_RECOVERED = (
    "It moved out of the clinical range with reliable improvement: reliable recovery."
)
RECOVERED_ONLY = (
    "It moved out of the clinical range (recovery), but the change is within measurement error."
)
NOT_RECOVERED = "It started and is still in the clinical range."
NOT_A_CASE = "It started outside the clinical range, so recovery does not apply."
# name, item number, sessions, the latest's date or SAFETY_LATEST, what later answers said
SAFETY = (
    FLAG_NAMES["safety"]
    + ": {} item {} (a risk question) was answered above 0 at {}{}. {} Please check on safety "
    "with the client now."
)
SAFETY_LATEST = ", most recently at session {}{}"  # latest session, " (date)" or ""
# later sessions where the item was answered 0
SAFETY_LATER_ZERO = "Later questionnaires answered it 0 ({})."
SAFETY_NOT_LATER_ZERO = "No later questionnaire has answered it 0."
# an answer in a row whose session number or date could not be read (a refused row)
SAFETY_UNKNOWN_SESSION = "a session whose number or date could not be read (in a row left out)"
SAFETY_LATER_UNKNOWN = (
    "Whether a later questionnaire answered it 0 cannot be told, as that session is not known."
)
# name, item number, sessions
SAFETY_UNKNOWN = (
    "{} item {} (safety) has no answer at {} (left blank or only a total given), "
    "so risk could not be checked from the questionnaire."
)
# name, sessions, the rule (UNSCORED_RULE or UNSCORED_ALL): a questionnaire kept without a
# total because too many of its items are blank (never a silent zero)
UNSCORED = (
    "The {} at {} could not be scored: too many items were left unanswered ({}). The "
    "unanswered questions may be worth going through together."
)
UNSCORED_RULE = "a total needs at least {} of its {} items answered"  # fewest, items
UNSCORED_ALL = "a total needs all {} of its items answered"  # items
NO_SCORES = "No scored questionnaires yet."
# name: a scale with no expected course (no fitted or shipped one, and no SD to scale the
# default by: `config.courses_for`), said once in the report's overview and to each client
# with two or more of its scores, whose status would otherwise read as if it had been judged
NO_COURSE = (
    "{} has no expected course, so Unstuck cannot tell whether its scores are off the "
    "expected course ('not on track'). To judge that, add the scale's standard deviation to "
    "its definition file (sd, with reliability, under [change]), or fit its course from your "
    "clinic's scores with `unstuck fit`."
)

# -- signals (issue: detection). Plain, collaborative, never blaming the client. ----------
# name, first, first session, last, last session, signed change, rule
DETERIORATION = (
    FLAG_NAMES["deterioration"] + ": {} went from {} at session {} to {} at session {} ({}), "
    "a reliable worsening: {}."
)
# name, last, session, first, expected, percent, limit, side, model source
NOT_ON_TRACK = (
    FLAG_NAMES["not_on_track"]
    + ": {} is {} at session {}. For clients who started at {}, the expected score by now is "
    "about {}, and {}% of clients on the expected course score {} {}. "
    "(Expected course: {}.)"
)
# name, last, session, first, expected, drift percent, drift line, direction, previous score,
# its session, course source
DRIFTING = (
    "Drifting towards the edge of the expected course: {} is {} at session {}. For clients "
    "who started at {}, the expected score by now is about {}, and {}% of them score {} {}; "
    "this score is past that line, and so was the one before ({} at session {}). "
    "(Expected course: {}.)"
)
# name, sessions, first, last, window, recent scores, clinical-range clause, spread,
# threshold, the line's movement (one of the three below), steady improvement
PLATEAU = (
    FLAG_NAMES["plateau"]
    + ": {} has {} scores without reliable improvement ({} at the start, {} now), and the "
    "last {} ({}){} differ by at most {}, less than the {} a reliable change "
    "needs; the line through all the scores so far {}, where steady improvement would be "
    "{} or more."
)
LINE_BETTER = "improves by {}"  # points
LINE_WORSE = "worsens by {}"  # points
LINE_LEVEL = "is level"
PLATEAU_UNWELL = " are all in the clinical range, averaging {} (clearly past the cutoff of {}), and"
# Too little improvement so far (`progress.response`): the scores and how far they moved
# ("PHQ-9 was 16 at session 1 and is 15 at session 5; the last 2 scores average 13.5, 2.5
# points better than at the start, under half a reliable change (3 of 6 points), and still in
# the clinical range"), then the stage's words. How far is the average's when there is one:
# said after it, so that "is 24 at session 6, 0.5 points better" never reads of a 21 at the
# start.
EARLY_RESPONSE = (
    FLAG_NAMES["early_response"]
    + ": {}. Change in the first sessions foretells how therapy goes (Howard et al., 1986; "
    "Lutz et al., 2014; with antidepressants, Szegedi et al., 2009): a note to review "
    "together how therapy is going, not a verdict."
)
SLOW_RESPONSE = (  # the words, from session
    FLAG_NAMES["slow_response"]
    + ": {}. Most clients who go on to improve have begun to by about session {} (Howard et "
    "al., 1986; Lutz et al., 2014): worth reviewing together how therapy is going and what "
    "might help, not a verdict."
)
SO_FAR_MEAN = "; the last {} scores average {}"  # how many, their mean
SO_FAR_BETTER = "{} better than at the start, under half a reliable change ({} of {})"
SO_FAR_SAME = "no better than at the start"
SO_FAR_WORSE = "{} worse than at the start"  # points
SO_FAR_STILL = ", and still in the clinical range"
SO_FAR_NOW = ", and now in the clinical range"  # a first score outside it
# the reasons below, joined by "; "
WITHDRAWAL = FLAG_NAMES["withdrawal_risk"] + ": {}."  # led by the name on the caseload
MISSING_WHILE_IMPROVING = (
    "Sessions missed while improving: {}. The scores have been improving steadily and are now "
    "out of the clinical range, so the client may feel they have had enough for now (Barkham "
    "et al., 2006): a note to ask "
    "together how they see the sessions, whether something else keeps them away, and how and "
    "when to plan an ending, not a warning."
)
# missed, late, window, missed rule, missed-or-late rule
WITHDRAWAL_ATTENDANCE = (
    "of the last sessions booked, {} were cancelled or missed and {} started late (of {}); "
    "the rule is {} missed, or {} missed or late"
)
# gap days, usual gap, factor, min gap
WITHDRAWAL_GAP = (
    "the latest gap between sessions was {} days against a usual {} days (rule: at least {} "
    "times the usual gap and at least {} days)"
)
# markers noticed, sessions, rule
WITHDRAWAL_MARKERS = (
    "you noted {} signs of pulling back (such as avoided topics or 'not sure I need a session "
    "today') over the last {} sessions (rule: {} or more)"
)
# last, earlier mean, fall rule
WITHDRAWAL_FEEDBACK = (
    "session feedback fell to {} from an earlier average of {} (rule: a fall of {} or more)"
)
# name, before, last, session, drop rule
RUPTURE_DROP = (
    FLAG_NAMES["alliance_rupture"] + ": {} fell from {} to {} at session {} "
    "(rule: a fall of {} or more from the previous session). Worth asking the client "
    "openly how the sessions are working for them."
)
# name, last, session, floor
RUPTURE_LOW = (
    FLAG_NAMES["alliance_rupture"] + ": {} was {} at session {} (rule: {} or "
    "lower out of 40). Worth asking the client openly how the sessions are working for them."
)


def number(x: float, places: int = 2) -> str:
    """A score as people write it: 12, not 12.0; at most `places` decimals (12.35, 12.4).

    ``x * 10**places`` is rounded half to even and written out from whole numbers. The
    caseload path (`number_expr`) does exactly the same operations, so both paths write the
    same digits even in the rare ties where rounding a binary fraction to decimals, or
    dividing by 100, would differ between Python and polars.

    A number too large for its decimals to be held (``x * 10**places`` of `EXACT` or more,
    above 90 billion for two places) is written with 15 significant digits, as ``1e+40``:
    never a score, whose bounds are far smaller (`unstuck.measures.limits`), but this never
    raises, nor writes digits the float does not hold.
    """
    if not math.isfinite(x):
        return str(x)
    if abs(x) * 10**places >= EXACT:
        return f"{x:.15g}"
    scaled = round(x * 10**places)
    whole, fraction = divmod(abs(scaled), 10**places)
    return ("-" if scaled < 0 else "") + str(whole) + _decimals(fraction, places)


EXACT = 2**53  # whole numbers up to this are exact as floats (and so in `number_expr`)


def signed(x: float) -> str:
    return ("+" if x > 0 else "") + number(x)


def points(written: str) -> str:
    """'1 point', '+1 point', '2.5 points': the unit after a number already written out."""
    return f"{written} point" if written.lstrip("+-") == "1" else f"{written} points"


def labelled(score: float, severity: str | None) -> str:
    return number(score) if severity is None else f"{number(score)} ({severity})"


def sessions(occasions: Sequence[int]) -> str:
    """'session 3', 'sessions 3 and 5', 'sessions 1, 3 and 5'."""
    names = [str(o) for o in occasions]
    if len(names) == 1:
        return f"session {names[0]}"
    return f"sessions {', '.join(names[:-1])} and {names[-1]}"


# -- the same formatting as polars expressions -------------------------------------------


def number_expr(col: pl.Expr, places: int = 2) -> pl.Expr:
    """`number` as a polars expression: the same operations, so the same digits, for every
    value below `EXACT` once scaled (scores, whose bounds are far smaller, always are)."""
    return _digits(col, places, plus=False)


def signed_expr(col: pl.Expr) -> pl.Expr:
    return _digits(col, 2, plus=True)


def number_texts(values: pl.Series, *, plus: bool = False) -> pl.Series:
    """`number` (or, with `plus`, `signed`) of every value, null for null.

    Totals of itemised measures are whole numbers in a short range; then each possible
    number is written once and looked up, several times cheaper than `number_expr`.
    """
    write = signed if plus else number
    if values.len() <= WRITTEN_ONE_BY_ONE:  # e.g. one client's (the web): no frame work
        return pl.Series(
            [None if v is None else write(v) for v in values.to_list()], dtype=pl.String
        )
    finite = values.drop_nulls()
    whole = finite.dtype.is_integer() or (
        finite.dtype.is_float()
        and bool((finite == finite.floor()).all())
        and bool((finite.abs() < 1e12).all())
    )
    if whole and finite.len():
        whole_numbers = finite.cast(pl.Int64).to_numpy()
        low, high = int(whole_numbers.min()), int(whole_numbers.max())
        if high - low < LOOKED_UP:
            table = pl.Series([write(v) for v in range(low, high + 1)], dtype=pl.String)
            return table.gather(values.cast(pl.Int64) - low)
    return pl.select(_digits(pl.lit(values), 2, plus=plus)).to_series()


LOOKED_UP = 10_000  # the widest range of whole numbers `number_texts` writes by lookup
WRITTEN_ONE_BY_ONE = 32  # up to this many values, `number_texts` calls `number` on each


def _digits(col: pl.Expr, places: int, *, plus: bool) -> pl.Expr:
    unit = 10**places
    scaled = (col * unit).round(0).cast(pl.Int64)
    size = scaled.abs()
    minus = pl.when(scaled < 0).then(pl.lit("-"))
    sign = (
        minus.when(col > 0).then(pl.lit("+")).otherwise(pl.lit(""))
        if plus
        else minus.otherwise(pl.lit(""))
    )
    # The decimals of each possible fraction are looked up: 5 -> ".05", 50 -> ".5", 0 -> "".
    return pl.concat_str(
        sign, (size // unit).cast(pl.String), pl.lit(_all_decimals(places)).gather(size % unit)
    )


@functools.cache
def _all_decimals(places: int) -> pl.Series:
    return pl.Series([_decimals(f, places) for f in range(10**places)], dtype=pl.String)


def _decimals(fraction: int, places: int) -> str:
    digits = str(fraction).zfill(places).rstrip("0") if places else ""
    return "." + digits if digits else ""


def points_expr(written: pl.Expr) -> pl.Expr:
    """`points` as a polars expression, on numbers already written out."""
    one = written.str.strip_chars_start("+-") == "1"
    return pl.concat_str(written, pl.when(one).then(pl.lit(" point")).otherwise(pl.lit(" points")))


def sessions_expr(occasions: pl.Expr) -> pl.Expr:
    names = occasions.cast(pl.List(pl.String))
    n = names.list.len()
    return (
        pl.when(n == 1)
        .then(pl.format("session {}", names.list.first()))
        .otherwise(
            pl.format(
                "sessions {} and {}",
                names.list.head(n - 1).list.join(", "),
                names.list.last(),
            )
        )
    )
