from django.urls import path

from samverkan.problems import views as v

app_name = "problems"
P = "samverkan/<int:pk>/steg3/"
urlpatterns = [
    path(P, v.home, name="home"),
    path(P + "problembild/", v.picture, name="picture"),
    path(P + "problembild/andra/", v.picture_edit, name="picture_edit"),
    path(P + "problembild/hamta/", v.picture_import, name="picture_import"),
    path(P + "problembild/bekrafta/", v.picture_confirm, name="picture_confirm"),
    path(P + "begrepp/", v.glossary, name="glossary"),
    path(P + "begrepp/nytt/", v.glossary_create, name="glossary_create"),
    path(P + "begrepp/<int:term_id>/andra/", v.glossary_edit, name="glossary_edit"),
    path(P + "begrepp/vanliga/", v.glossary_seed, name="glossary_seed"),
    path(P + "prioritering/", v.prioritisation, name="prioritisation"),
    path(P + "prioritering/vikter/", v.weights_edit, name="weights_edit"),
    path(P + "prioritering/skadevikter/", v.harm_weights_edit, name="harm_weights_edit"),
    path(P + "prioritering/beslut/", v.prioritisation_decide, name="prioritisation_decide"),
    path(P + "problem/nytt/", v.problem_create, name="problem_create"),
    path(P + "problem/<int:problem_id>/", v.problem_detail, name="problem_detail"),
    path(P + "problem/<int:problem_id>/andra/", v.problem_edit, name="problem_edit"),
    path(P + "orsaker/ny/", v.cause_create, name="cause_create"),
    path(P + "orsaker/<int:cause_id>/andra/", v.cause_edit, name="cause_edit"),
    path(P + "mal/nytt/", v.goal_create, name="goal_create"),
    path(P + "mal/<int:goal_id>/andra/", v.goal_edit, name="goal_edit"),
    path(P + "mal/<int:goal_id>/uppfoljningsplan/", v.goal_followup_plan, name="goal_followup"),
    path(P + "atgarder/", v.measure_list, name="measures"),
    path(P + "atgarder/ny/", v.measure_create, name="measure_create"),
    path(P + "atgarder/bibliotek/", v.measure_library, name="library"),
    path(P + "atgarder/<int:measure_id>/", v.measure_detail, name="measure_detail"),
    path(P + "atgarder/<int:measure_id>/andra/", v.measure_edit, name="measure_edit"),
    path(P + "sparbarhet/", v.traceability, name="traceability"),
    path(P + "medborgarloften/", v.promise_list, name="promises"),
    path(P + "medborgarloften/nytt/", v.promise_create, name="promise_create"),
    path(P + "medborgarloften/<int:promise_id>/andra/", v.promise_edit, name="promise_edit"),
    path(P + "medborgarloften/<int:promise_id>/ta-bort/", v.promise_delete, name="promise_delete"),
]
