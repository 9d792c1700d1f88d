"""The report-rendering job: the synthesis report of a consultation in one format and
language, rendered as the command line and the report page render it, and stored."""

from consulta.jobs import actions
from consulta.jobs.models import RenderedReport
from consulta.synthesis import report as reports
from consulta.synthesis.document import build_document


def render_report(rendering_id: int) -> None:
    rendering = RenderedReport.objects.select_related("consultation").get(pk=rendering_id)
    document = build_document(rendering.consultation, rendering.language)
    actions.store_report(rendering, reports.render(document, rendering.format))
