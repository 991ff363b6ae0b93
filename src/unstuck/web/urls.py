from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from unstuck.web.accounts import audit_views
from unstuck.web.accounts import views as accounts
from unstuck.web.instruments import views as instruments
from unstuck.web.portal import schedule_views as portal_schedule
from unstuck.web.portal import staff_views as portal_staff
from unstuck.web.portal import views as portal
from unstuck.web.records import correction_views
from unstuck.web.records import views as records
from unstuck.web.reviews import document_views as documents
from unstuck.web.reviews import views as reviews

admin.site.site_header = "Unstuck administration"
admin.site.site_title = "Unstuck"

handler500 = "unstuck.web.error_views.server_error"

urlpatterns = [
    path("", records.caseload, name="caseload"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit.csv", audit_views.audit_log_csv, name="audit_log_csv"),
    path("clients/new/", records.client_new, name="client_new"),
    path("clients/<int:client_id>/", records.client_detail, name="client"),
    path("clients/<int:client_id>/sessions/new/", records.session_new, name="session_new"),
    path("clients/<int:client_id>/end/", records.episode_end, name="episode_end"),
    path("instruments/", instruments.instrument_list, name="instruments"),
    path(
        "instruments/<str:instrument_id>/fhir.json",
        instruments.instrument_fhir,
        name="instrument_fhir",
    ),
    path("clients/<int:client_id>/review/", reviews.review_new, name="review_new"),
    path("reviews/<int:review_id>/", reviews.review_detail, name="review"),
    path(
        "plan-strategies/<int:strategy_id>/result/", reviews.strategy_result, name="strategy_result"
    ),
    path("clients/<int:client_id>/goals/", reviews.goals, name="goals"),
    path("goals/<int:goal_id>/<str:action>/", reviews.goal_change, name="goal_change"),
    path("clients/<int:client_id>/consultation/", documents.consultation, name="consultation"),
    path("clients/<int:client_id>/close/", documents.close, name="close"),
    path("clients/<int:client_id>/letters/<int:letter_id>/", documents.letter, name="letter"),
    path("reflections/", reviews.reflections, name="reflections"),
    # The administration's own password page goes to the one that is audited and throttled.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
    path("team/", reviews.team, name="team"),
    path("team.csv", reviews.team_csv, name="team_csv"),
    path("clients/<int:client_id>/safety-check/", records.safety_check, name="safety_check"),
    # Client questionnaires: the client's pages (no account) and the therapist's side.
    path("q/<str:token>/", portal.link, name="portal_link"),
    path("kiosk/", portal.kiosk, name="portal_kiosk"),
    path("answer/", portal.start, name="portal_start"),
    path("answer/done/", portal.done, name="portal_done"),
    path("answer/<int:number>/", portal.step, name="portal_step"),
    path("answer/<int:number>/safety/", portal.safety, name="portal_safety"),
    path(
        "clients/<int:client_id>/questionnaires/new/",
        portal_staff.request_new,
        name="portal_request_new",
    ),
    path("questionnaires/<int:request_id>/", portal_staff.request_detail, name="portal_request"),
    path(
        "clients/<int:client_id>/questionnaires/schedule/",
        portal_schedule.schedule_set,
        name="portal_schedule",
    ),
    path(  # before the actions' pattern, which would take "withdraw" for an action
        "questionnaires/<int:request_id>/withdraw/",
        portal_staff.request_withdraw,
        name="portal_request_withdraw",
    ),
    path(
        "questionnaires/<int:request_id>/<str:action>/",
        portal_staff.request_action,
        name="portal_request_action",
    ),
    path("overview/", accounts.overview, name="overview"),
    # Pages without base.html (the account pages) still get an icon, not a 404 in the console.
    path("favicon.ico", RedirectView.as_view(url=static("unstuck/favicon.svg"), permanent=True)),
]

# Corrections, endings and each client's questionnaires.
urlpatterns += [
    path(
        "clients/<int:client_id>/sessions/<int:number>/correct/",
        correction_views.session_correct,
        name="session_correct",
    ),
    path(
        "clients/<int:client_id>/sessions/<int:number>/void/",
        correction_views.session_void,
        name="session_void",
    ),
    path(
        "clients/<int:client_id>/end/preview/",
        correction_views.episode_end_preview,
        name="episode_end_preview",
    ),
    path("clients/<int:client_id>/reopen/", correction_views.episode_reopen, name="episode_reopen"),
    path(
        "clients/<int:client_id>/details/", correction_views.client_details, name="client_details"
    ),
    path(
        "clients/<int:client_id>/hand-over/",
        correction_views.client_hand_over,
        name="client_hand_over",
    ),
    path(
        "clients/<int:client_id>/instruments/",
        correction_views.client_instruments,
        name="client_instruments",
    ),
]
