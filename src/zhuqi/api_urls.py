"""The REST API router: every app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from zhuqi.assistance import api as assistance_api
from zhuqi.attraction import api as attraction_api
from zhuqi.cases import api as cases_api
from zhuqi.core import api as core_api
from zhuqi.enterprises import api as enterprises_api
from zhuqi.indicators import api as indicators_api
from zhuqi.mu import api as mu_api
from zhuqi.oversight import api as oversight_api
from zhuqi.policies import api as policies_api
from zhuqi.projects import api as projects_api

router = DefaultRouter()
core_api.register(router)
enterprises_api.register(router)
assistance_api.register(router)
cases_api.register(router)
projects_api.register(router)
indicators_api.register(router)  # indicators (entry helper)
mu_api.register(router)
oversight_api.register(router)
policies_api.register(router)
attraction_api.register(router)

urlpatterns = router.urls
