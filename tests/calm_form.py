"""A made-up questionnaire with a Spanish translation, for the translation tests."""

# A made-up form in our own words (not a published instrument), with a made-up translation.
FORM = """
id = "calm"
name = "Calm check"
description = "Three questions on feeling calm this week (our own test form)."
stem = "This week, how often did you..."
higher_is_better = true
license = "Written for Unstuck's tests."
safety_items = [2]

[[options]]
value = 0
label = "Never"
[[options]]
value = 1
label = "Sometimes"
[[options]]
value = 2
label = "Often"

[[items]]
number = 1
text = "feel calm?"
[[items]]
number = 2
text = "think of harming yourself?"
[[items]]
number = 3
text = "How sure are you of that?"
[[items.options]]
value = 0
label = "Not sure"
[[items.options]]
value = 1
label = "Sure"
{translation}
"""
SPANISH = """
[translations.es]
language_name = "Español"
source = "Our test translation."
stem = "Esta semana, ¿con qué frecuencia...?"
items = ["¿se sintió en calma?", "¿pensó en hacerse daño?", "¿Qué tan seguro está?"]
options = ["Nunca", "A veces", "A menudo"]
[translations.es.item_options]
"3" = ["No estoy seguro", "Seguro"]
"""
