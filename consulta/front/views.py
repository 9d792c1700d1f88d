from django.db.models import Count
from django.shortcuts import render

from consulta.consultations.models import Consultation


def home(request):
    """Every consultation that is not a draft, with its sessions; drafts only for organisers."""
    consultations = Consultation.objects.annotate(session_count=Count("sessions")).order_by("slug")
    if not request.user.is_staff:
        consultations = consultations.exclude(status=Consultation.Status.DRAFT)
    return render(request, "front/home.html", {"consultations": consultations})
