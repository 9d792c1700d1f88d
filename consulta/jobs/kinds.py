"""What can run as a background job. Each kind names the function that does the work, called
with the primary key the job is about. Functions are named by dotted path, imported when the
job runs, so that the apps that enqueue jobs need not be imported by this one."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REGISTRATION_CONFIRMATION = "registration-confirmation"
REGISTRATION_PROMOTION = "registration-promotion"
REGISTRATION_REMINDER = "registration-reminder"
SUBMISSION_CONFIRMATION = "submission-confirmation"
REPORT_RENDERING = "report-rendering"


@dataclass(frozen=True)
class Kind:
    name: str
    label: str | Promise
    subject: str | Promise  # what the primary key points at, shown beside it
    function: str  # dotted path of `function(object_id)`
    priority: int  # higher runs first: e-mails before reports


EMAIL_PRIORITY = 10
REPORT_PRIORITY = 0

KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            REGISTRATION_CONFIRMATION,
            _("Registration confirmation e-mail"),
            _("registration"),
            "consulta.registrations.emails.send_confirmation",
            EMAIL_PRIORITY,
        ),
        Kind(
            REGISTRATION_PROMOTION,
            _("Seat offered from the waiting list (e-mail)"),
            _("registration"),
            "consulta.registrations.emails.send_promotion",
            EMAIL_PRIORITY,
        ),
        Kind(
            REGISTRATION_REMINDER,
            _("Session reminder e-mail"),
            _("registration"),
            "consulta.registrations.emails.send_reminder",
            EMAIL_PRIORITY,
        ),
        Kind(
            SUBMISSION_CONFIRMATION,
            _("Written submission confirmation e-mail"),
            _("respondent"),
            "consulta.feedback.submissions.send_confirmation",
            EMAIL_PRIORITY,
        ),
        Kind(
            REPORT_RENDERING,
            _("Report rendering"),
            _("rendering"),
            "consulta.jobs.reports.render_report",
            REPORT_PRIORITY,
        ),
    )
}
