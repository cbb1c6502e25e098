"""Thin views for cms routes outside the page tree: search and robots.txt."""

from django.core.paginator import EmptyPage, Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from wagtail.models import Page

SEARCH_RESULTS_PER_PAGE = 10


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = None
    if query:
        matches = Page.objects.live().public().exclude(depth=1).specific().search(query)
        paginator = Paginator(matches, SEARCH_RESULTS_PER_PAGE)
        try:
            results = paginator.page(request.GET.get("page") or 1)
        except (EmptyPage, ValueError):
            results = paginator.page(1)
    return TemplateResponse(request, "cms/search.html", {"query": query, "results": results})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "cms/robots.txt",
        {"sitemap_url": request.build_absolute_uri("/sitemap.xml")},
        content_type="text/plain; charset=utf-8",
    )
