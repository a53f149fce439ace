from django.urls import path
from rest_framework.routers import SimpleRouter

from governance import councils_api, figures_api, meetings_api, projects_api, slips_api

router = SimpleRouter(use_regex_path=False)
router.register("slips", slips_api.SlipViewSet, basename="api-slip")
# Governance projects (主动治理, 每月一题).
router.register("projects", projects_api.ProjectViewSet, basename="api-project")
# 吹哨 meetings (governance.meetings_api): the decisions before the meetings (both under meetings/).
router.register("meetings/decisions", meetings_api.DecisionViewSet, basename="api-decision")
router.register("meetings", meetings_api.MeetingViewSet, basename="api-meeting")
router.register("organisations", meetings_api.OrganisationViewSet, basename="api-organisation")
# Resident councils and the governance figures (part "councils").
router.register("councils/topics", councils_api.CouncilTopicViewSet, basename="api-council-topic")
router.register("councils", councils_api.CouncilViewSet, basename="api-council")

urlpatterns = [
    path("public/slips/", slips_api.PublicSlipView.as_view(), name="api-public-slip"),
    path("public/slips/status/", slips_api.PublicSlipStatusView.as_view(), name="api-public-slip-status"),
    # Governance figures (part "councils").
    path("governance/figures/", figures_api.FiguresView.as_view(), name="api-governance-figures"),
    *router.urls,
]
