from django.urls import path

from samverkan.partnerships import views as v

app_name = "partnerships"
P = "samverkan/<int:pk>/"
urlpatterns = [
    path("samverkan/", v.partnership_list, name="list"),
    path("samverkan/ny/", v.partnership_create, name="create"),
    path(P + "andra/", v.partnership_edit, name="edit"),
    path(P + "parter/", v.party_list, name="parties"),
    path(P + "parter/ny/", v.party_create, name="party_create"),
    path(P + "parter/<int:party_id>/andra/", v.party_edit, name="party_edit"),
    path(P + "parter/<int:party_id>/samordnare/", v.coordinator_edit, name="coordinator_edit"),
    path(P + "grupper/", v.group_list, name="groups"),
    path(P + "grupper/ny/", v.group_create, name="group_create"),
    path(P + "grupper/<int:group_id>/", v.group_detail, name="group_detail"),
    path(P + "grupper/<int:group_id>/andra/", v.group_edit, name="group_edit"),
    path(P + "grupper/<int:group_id>/ledamoter/ny/", v.group_member_add, name="group_member_add"),
    path(
        P + "grupper/<int:group_id>/ledamoter/<int:group_member_id>/andra/",
        v.group_member_edit,
        name="group_member_edit",
    ),
    path(
        P + "grupper/<int:group_id>/ledamoter/<int:group_member_id>/ta-bort/",
        v.group_member_remove,
        name="group_member_remove",
    ),
    path(P + "beslut/", v.decision_list, name="decisions"),
    path(P + "beslut/nytt/", v.decision_create, name="decision_create"),
    path(P + "beslut/<int:decision_id>/", v.decision_detail, name="decision_detail"),
    path(P + "beslut/<int:decision_id>/andra/", v.decision_edit, name="decision_edit"),
    path(P + "beslut/<int:decision_id>/fil/", v.decision_attachment, name="decision_attachment"),
    path(P + "moten/", v.meeting_list, name="meetings"),
    path(P + "moten/nytt/", v.meeting_create, name="meeting_create"),
    path(P + "moten/<int:meeting_id>/", v.meeting_detail, name="meeting_detail"),
    path(P + "moten/<int:meeting_id>/andra/", v.meeting_edit, name="meeting_edit"),
    path(P + "moten/<int:meeting_id>/protokoll/", v.meeting_minutes, name="meeting_minutes"),
    path(P + "planering/", v.calendar, name="calendar"),
    path(P + "planering/ny/", v.milestone_create, name="milestone_create"),
    path(P + "planering/<int:milestone_id>/andra/", v.milestone_edit, name="milestone_edit"),
    path(P + "planering/budgetprocess/", v.budget_process_add, name="budget_process_add"),
    path(P + "medlemmar/", v.member_list, name="members"),
    path(P + "medlemmar/ny/", v.member_add, name="member_add"),
    path(P + "medlemmar/<int:membership_id>/andra/", v.member_edit, name="member_edit"),
    path(P + "medlemmar/<int:membership_id>/ta-bort/", v.member_remove, name="member_remove"),
    path(
        P + "inbjudningar/<int:invitation_id>/aterkalla/",
        v.invitation_revoke,
        name="invitation_revoke",
    ),
    path(P + "historik/", v.history, name="history"),
    path(P + "export/", v.export_start, name="export"),
]
