"""The organisers' jobs page: what is waiting, running, failed (with the error and the number
of attempts) and done, and "retry now" for failed jobs.

An organiser sees the jobs of the consultations they organise; platform administrators see
every job. Jobs are named by kind and primary key: no name or e-mail address is shown.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consulta.jobs import actions
from consulta.jobs.models import Job
from consulta.jobs.presentation import kind_label, subject
from consulta.permissions import is_administrator, organised_consultations, organiser_required

PAGE_SIZE = 100


def visible_jobs(user):
    """The jobs `user` may see: those of the consultations they organise (every job for a
    platform administrator)."""
    if is_administrator(user):
        return Job.objects.all()
    return Job.objects.filter(consultation__in=organised_consultations(user))


@never_cache
@organiser_required
def job_list(request):
    jobs = visible_jobs(request.user)
    counts = jobs.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Job.Status.values}
    )
    status = request.GET.get("status", "")
    if status and status not in Job.Status.values:
        raise Http404("No such status.")
    shown = jobs.filter(status=status) if status else jobs
    page = Paginator(shown.select_related("consultation"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for job in page:
        job.kind_label = kind_label(job)
        job.subject = subject(job)
    tabs = [("", gettext("All"), sum(counts.values()))] + [
        (value, label, counts[value]) for value, label in Job.Status.choices
    ]
    return render(
        request,
        "jobs/list.html",
        {"page": page, "tabs": tabs, "status": status, "Status": Job.Status},
    )


@require_POST
@organiser_required
def retry(request, pk):
    job = visible_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404("No such job.")
    try:
        actions.retry_now(job)
    except actions.NotRetryable:
        messages.error(request, gettext("Only a failed job can be retried; this one is not."))
    else:
        messages.success(request, gettext("The job is queued again; it runs in a moment."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    return redirect(back or "jobs")
