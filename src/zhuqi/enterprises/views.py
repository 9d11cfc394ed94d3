from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from .models import Enterprise


@login_required
def enterprise_list(request):
    qs = Enterprise.objects.visible_to(request.user).select_related("region")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(credit_code__startswith=q.upper()))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "enterprises/enterprise_list.html", {"page": page, "q": q})


@login_required
def enterprise_detail(request, pk):
    enterprise = Enterprise.objects.get_visible_or_404(request.user, pk=pk)
    return render(request, "enterprises/enterprise_detail.html", {"enterprise": enterprise})
