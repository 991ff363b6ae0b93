"""Constants shared by the web and browser tests (the fixtures are in conftest.py)."""

PASSWORD = "correct-horse-battery-staple"
PHQ9_MILD = [1, 1, 1, 1, 1, 1, 0, 0, 0]  # total 6
PHQ9_SEVERE = [3, 3, 3, 3, 2, 2, 2, 2, 0]  # total 20
FEEDBACK_GOOD = [9, 9, 9, 9]  # total 36
