"""Printable documents (HTML, and PDF through WeasyPrint): consultation summary and letters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from unstuck.web.downloads import content_disposition


def respond(
    request: HttpRequest, template: str, context: dict[str, object], filename: str
) -> HttpResponse:
    """The document as HTML, or as a PDF download with ``?format=pdf``."""
    html = render_to_string(template, context, request=request)
    if request.GET.get("format") != "pdf":
        return HttpResponse(html)
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{filename}.pdf", as_attachment=False)
    return response
