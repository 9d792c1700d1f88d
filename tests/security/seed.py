"""A consultation whose every free-text field holds an XSS payload, written through the same
write paths as the forms, the definition loader, live capture, imports and revisions use.

`seed(document, organiser)` loads the demo definition with payloads in its background,
mandate, objectives, an engagement and a recommendation's text, then, on 20 January 2024
(registrations open): one registration per payload (names, organisation and needs are the
payload; every other participant allows attribution to the organisation), each answering a
recommendation with the payload as comment and rewording, five open written submissions
(three confirmed), one captured point per payload (attributed to an organisation where
allowed), pairwise choices, and a revision and a kept decision whose rationale, notes and new
text are payloads.
"""

import copy
from dataclasses import dataclass
from datetime import UTC, datetime

import time_machine
import yaml

from consulta.definitions.loader import load_text
from consulta.feedback import actions, submissions
from consulta.feedback.models import Stance
from consulta.registrations import actions as registrations
from consulta.revisions import actions as revisions
from tests.security.payloads import MARKDOWN_TRICKS, PAYLOADS

REGISTRATIONS_OPEN = datetime(2024, 1, 20, 9, tzinfo=UTC)
SESSION_KEYS = ["africa", "asia-pacific", "europe", "latin-america-caribbean", "arab-states"]


@dataclass
class Seeded:
    consultation: object
    registrations: list
    open_respondents: list
    points: list


def payload_definition(document: dict) -> dict:
    """The demo definition with payloads in every free-text field the public page shows."""
    document = copy.deepcopy(document)
    document["background"] = "\n\n".join(MARKDOWN_TRICKS + PAYLOADS[:12])
    document["mandate"] = "\n\n".join(PAYLOADS[12:40])
    document["objectives"] = list(PAYLOADS[40:45])
    if document.get("timeline"):
        document["timeline"][0]["description"] = "\n\n".join(PAYLOADS[45:60])
    if document.get("references"):
        document["references"][0]["note"] = "\n\n".join(PAYLOADS[60:])
    recommendation = document["pillars"][0]["recommendations"][0]
    recommendation["text"]["en"] = "\n\n".join(PAYLOADS[::3])
    return document


def seed(document: dict, organiser) -> Seeded:
    consultation = load_text(
        yaml.safe_dump(payload_definition(document), allow_unicode=True, sort_keys=False)
    ).consultation
    sessions = {session.key: session for session in consultation.sessions.all()}
    keys = [key for key in SESSION_KEYS if key in sessions] or sorted(sessions)
    recommendations = list(
        actions.live_recommendations(consultation).select_related("pillar").order_by("pk")
    )
    created, points, answers = [], [], []
    with time_machine.travel(REGISTRATIONS_OPEN, tick=False):
        for number, payload in enumerate(PAYLOADS):
            session = sessions[keys[number % len(keys)]]
            registration = registrations.register_participant(
                session,
                {
                    "given_name": payload,
                    "family_name": PAYLOADS[-1 - number],
                    "email": f"participant-{number}@example.org",
                    "organisation": payload,
                    "stakeholder_group": ["civil_society", "member_state", "academia"][number % 3],
                    "country": ["KE", "TH", "SE", "BR", "JO"][number % 5],
                    "language": "en",
                    "needs": payload,
                    "attribution": "organisation" if number % 2 else "chatham_house",
                },
            ).registration
            created.append(registration)
            respondent = actions.respondent_for_registration(registration)
            recommendation = recommendations[number % len(recommendations)]
            answers.append(
                actions.save_answer(
                    respondent,
                    recommendation,
                    {
                        "support": 1 + number % 5,
                        "priority": 1 + number % 4,
                        "comment": f"{payload} (comment {number})",
                        "proposed_text": f"{payload} {recommendation.title_in('en')[0]}",
                    },
                    submission_key=f"xss-answer-{number}",
                )
            )
            if number < 10:
                first, second = recommendations[0], recommendations[1]
                actions.record_choice(
                    respondent, first, second, first, submission_key=f"xss-pair-{number}"
                )
            points.append(
                actions.capture_point(
                    sessions[keys[0]],
                    organiser,
                    {
                        "recommendation": recommendation if number % 4 else None,
                        "stakeholder_group": "civil_society",
                        "country": "KE",
                        "stance": [Stance.SUPPORTS, Stance.CONCERNS, Stance.QUESTION][number % 3],
                        "note": payload,
                        "attributed_to": created[1] if number % 2 else None,
                    },
                    submission_key=f"xss-point-{number}",
                )
            )
        open_respondents = []
        for number, payload in enumerate(PAYLOADS[:5]):
            respondent = submissions.start_open_submission(
                consultation,
                {
                    "email": f"writer-{number}@example.org",
                    "organisation": payload,
                    "stakeholder_group": "other",
                    "country": "FR",
                    "language": "en",
                    "attribution": "organisation",
                    "consent": True,
                },
                {recommendations[0]: {"support": 4, "comment": f"{payload} (written)"}},
                submission_key=f"xss-open-{number}",
            )
            if number < 3:
                respondent = submissions.confirm_open_submission(respondent)
            open_respondents.append(respondent)
        first = recommendations[0]
        texts = first.texts()
        texts["en"] = {
            "title": f"{PAYLOADS[0]} {texts['en']['title']}"[:300],
            "text": f"{texts['en']['text']}\n\n{PAYLOADS[1]}\n\n{MARKDOWN_TRICKS[0]}",
        }
        linked = [answer for answer in answers if answer.recommendation_id == first.pk][:3]
        revisions.revise_with_links(
            first,
            texts,
            by=organiser,
            rationale=PAYLOADS[2],
            answers=linked,
            notes={answer: PAYLOADS[3 + n] for n, answer in enumerate(linked)},
        )
        revisions.keep_with_reason(recommendations[1], by=organiser, reason=PAYLOADS[7])
    return Seeded(consultation, created, open_respondents, points)
