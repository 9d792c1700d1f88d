"""Report renderings prepared in the background: asked for from the organiser's report page,
listed there with their status, downloadable by organisers once ready.

The consultation is the demo with the known feedback of tests/feedback_data.py, closed.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html

from consulta.feedback.actions import close_consultation
from consulta.jobs.models import Job, RenderedReport
from tests.feedback_data import populate


@pytest.fixture
def consultation(demo):
    moderator = get_user_model().objects.create_user("kofi.moderator", password="not used")
    populate(demo, moderator)
    close_consultation(demo)
    demo.refresh_from_db()
    return demo


def report_url(consultation, *rest):
    names = {0: "manage-report", 1: "manage-report-rendering"}
    if rest == ("prepare",):
        return reverse("manage-report-prepare", args=[consultation.slug])
    return reverse(names[len(rest)], args=[consultation.slug, *rest])


def rendering_cell(client, consultation, rendering) -> str:
    page = client.get(report_url(consultation))
    tree = lxml_html.fromstring(page.content)
    (row,) = tree.xpath(f'//tr[@data-rendering="{rendering.pk}"]')
    return " ".join(row.text_content().split())


def test_a_pdf_prepared_in_the_background_opens_and_organisers_download_it(
    organiser_client, consultation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            report_url(consultation, "prepare"), {"format": "pdf", "language": "fr"}
        )
    assert response.status_code == 302
    rendering = RenderedReport.objects.get()
    assert rendering.ready and rendering.job.status == Job.Status.DONE
    assert rendering.job.kind == "report-rendering" and rendering.job.object_id == rendering.pk

    assert "Download" in rendering_cell(organiser_client, consultation, rendering)
    download = organiser_client.get(report_url(consultation, rendering.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-") and b"%%EOF" in download.content[-1024:]
    assert f"{consultation.slug}-report-fr.pdf" in download["Content-Disposition"]

    # Nobody else downloads it: anonymous visitors are sent to log in, other accounts refused.
    client = Client()
    anonymous = client.get(report_url(consultation, rendering.pk))
    assert anonymous.status_code == 302 and reverse("admin:login") in anonymous["Location"]
    staff = get_user_model().objects.create_user("ines.staff", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(report_url(consultation, rendering.pk)).status_code == 403
    assert client.post(report_url(consultation, "prepare"), {"format": "pdf"}).status_code == 403
    assert RenderedReport.objects.count() == 1


def test_the_worker_prepares_a_rendering_that_waits_on_the_page_until_then(
    organiser_client, consultation, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(
            report_url(consultation, "prepare"), {"format": "xlsx", "language": "en"}
        )
        # A second click while it waits gives the same rendering.
        organiser_client.post(
            report_url(consultation, "prepare"), {"format": "xlsx", "language": "en"}
        )
    rendering = RenderedReport.objects.get()
    assert "Waiting for its turn" in rendering_cell(organiser_client, consultation, rendering)
    assert organiser_client.get(report_url(consultation, rendering.pk)).status_code == 404

    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert f"Report rendering (rendering {rendering.pk}): done" in out.getvalue()
    download = organiser_client.get(report_url(consultation, rendering.pk))
    assert download.status_code == 200
    assert download.content.startswith(b"PK"), "an XLSX file is a zip archive"


def test_a_rendering_needs_a_known_format_and_language(organiser_client, consultation):
    for data in ({"format": "odt", "language": "en"}, {"format": "pdf", "language": "xx"}, {}):
        response = organiser_client.post(report_url(consultation, "prepare"), data, follow=True)
        assert "Choose a format (PDF, DOCX or XLSX) and a language." in response.content.decode()
    assert (
        not RenderedReport.objects.exists()
        and not Job.objects.filter(kind="report-rendering").exists()
    )


def test_the_direct_downloads_still_work(organiser_client, consultation):
    response = organiser_client.get(report_url(consultation) + "?format=xlsx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
