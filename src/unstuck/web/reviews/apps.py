from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "unstuck.web.reviews"
    label = "reviews"
    verbose_name = "Impasse reviews, plans, goals and closure"
