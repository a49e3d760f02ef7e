from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Điều tra dư luận xã hội")

    def ready(self):
        # Published survey results go into the tier's situation report, as reports.situation expects.
        from reports.situation import SURVEY_RESULT_PROVIDERS

        from .results_docs import situation_sections

        if situation_sections not in SURVEY_RESULT_PROVIDERS:
            SURVEY_RESULT_PROVIDERS.append(situation_sections)
