from django.urls import path

from . import views, views_contacts, views_data, views_interview, views_paper, views_results

app_name = "surveys"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("data-system/", views_data.data_system, name="data_system"),
    path("data-system/results/<int:pk>/tables.<str:fmt>", views_data.results_tables_export, name="results_tables"),
    path("bank/", views_data.bank, name="bank"),
    path("<int:pk>/data.<str:fmt>", views_data.data_export, name="data_export"),
    path("<int:pk>/codebook.csv", views_data.codebook_export, name="codebook"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/approve/", views.plan_approve_view, name="approve"),
    path("<int:pk>/steps/<str:kind>/done/", views.step_done, name="step_done"),
    path("<int:pk>/interviewers/", views.assignment_create, name="assign"),
    path("<int:pk>/invitations/", views.invitations_issue, name="invitations"),
    path("<int:pk>/interview/", views_interview.interview_form, name="interview"),
    path("<int:pk>/paper/", views_paper.paper_entry, name="paper"),
    path("<int:pk>/paper/sample/", views_paper.paper_sample_set, name="paper_sample"),
    path("<int:pk>/paper/<int:number>/", views_paper.paper_form, name="paper_form"),
    path("<int:pk>/contacts/", views_contacts.contacts, name="contacts"),
    path("<int:pk>/close/", views.plan_close_view, name="close"),
    path("<int:pk>/open-link/", views.open_link_set, name="open_link"),
    path("<int:pk>/questionnaires/new/", views.questionnaire_new, name="questionnaire_new"),
    path("<int:pk>/questionnaires/import/", views.questionnaire_upload, name="questionnaire_import"),
    path("<int:pk>/questionnaires/<int:number>/", views.questionnaire_detail, name="questionnaire"),
    path("<int:pk>/questionnaires/<int:number>/freeze/", views.questionnaire_freeze_view, name="questionnaire_freeze"),
    path("<int:pk>/questionnaires/<int:number>/xlsform.xlsx", views.questionnaire_xlsform, name="questionnaire_xlsform"),
    path("<int:pk>/questionnaires/<int:number>/bank/add/", views_data.bank_add, name="bank_add"),
    path("<int:pk>/questionnaires/<int:number>/bank/use/", views_data.bank_use, name="bank_use"),
    path("<int:pk>/questionnaires/<int:number>/print/", views.questionnaire_print, name="questionnaire_print"),
    path("<int:pk>/questionnaires/<int:number>/print.pdf", views.questionnaire_print_pdf, name="questionnaire_pdf"),
    # Results: weights, analysis, the results reports and their publication.
    path("<int:pk>/weighting/", views_results.weighting, name="weighting"),
    path("<int:pk>/analysis/", views_results.analysis, name="analysis"),
    path("<int:pk>/results/new/", views_results.results_new, name="results_new"),
    path("results/", views_results.results_list, name="results_list"),
    path("results/<int:rid>/", views_results.results_detail, name="results"),
    path("results/<int:rid>/edit/", views_results.results_edit, name="results_edit"),
    path("results/<int:rid>/submit/", views_results.results_submit_view, name="results_submit"),
    path("results/<int:rid>/approve/", views_results.results_approve_view, name="results_approve"),
    path("results/<int:rid>/return/", views_results.results_return_view, name="results_return"),
    path("results/<int:rid>/report.docx", views_results.results_docx_view, name="results_docx"),
    path("results/<int:rid>/report.pdf", views_results.results_pdf_view, name="results_pdf"),
]
