"""A consultation with feedback whose outcome is known, for synthesis, dashboard and report
tests. Personal data is planted on purpose (names, e-mails, organisations) so tests can check
that none of it reaches a figure, a page or a report unless allowed."""

from dataclasses import dataclass
from datetime import UTC, datetime

import time_machine

from consulta.feedback import actions, submissions
from consulta.feedback.models import Stance
from consulta.registrations import actions as registrations

PLANTED_NAMES = ["Zelda Quartermain", "Ignatius Fairweather"]
PLANTED_EMAILS = ["zelda.quartermain@example.org", "ignatius.fairweather@example.org"]
ALLOWED_ORGANISATION = "Red Crescent of Somewhere"
HIDDEN_ORGANISATION = "Secret Ministry of Nowhere"


@dataclass
class Feedback:
    consultation: object
    registrations: list
    moderator: object


def populate(demo, moderator) -> Feedback:
    """Sixty participants in three regions answer three recommendations; Europe opposes MM-2.

    - MM-1: everyone agrees or strongly agrees (support 4 or 5), priority high or essential.
    - MM-2: Africa and Asia-Pacific agree (5), Europe disagrees strongly (1).
    - MM-3: no opinion from half, the rest neutral.
    Twenty comments on MM-1 about forensic identification; a campaign of 8 identical letters on
    MM-2; two rewordings of MM-1; pairwise choices that put MM-1 first; three captured points.
    """
    sessions = {s.key: s for s in demo.sessions.all()}
    recs = {r.code: r for r in demo.recommendations.all()}
    created = []
    with time_machine.travel(datetime(2024, 1, 20, 9, tzinfo=UTC), tick=False):
        for i in range(60):
            key = ["africa", "asia-pacific", "europe"][i % 3]
            name = PLANTED_NAMES[i % 2].split()
            attribution = "organisation" if i == 3 else "chatham_house"
            organisation = ALLOWED_ORGANISATION if i == 3 else HIDDEN_ORGANISATION
            registration = registrations.register_participant(
                sessions[key],
                {
                    "given_name": name[0],
                    "family_name": name[1],
                    "email": f"{i}-{PLANTED_EMAILS[i % 2]}",
                    "organisation": organisation,
                    "stakeholder_group": ["civil_society", "member_state", "academia"][
                        i % 3 - 1 if i % 2 else 0
                    ],
                    "country": ["KE", "TH", "SE"][i % 3],
                    "language": "en",
                    "attribution": attribution,
                },
            ).registration
            created.append(registration)
            respondent = actions.respondent_for_registration(registration)
            mm2 = 1 if key == "europe" else 5
            comment_1 = (
                f"Forensic identification with DNA samples and dignified burial must be funded ({i})."
                if i < 20
                else ""
            )
            actions.save_answer(
                respondent,
                recs["MM-1"],
                {
                    "support": 4 + i % 2,
                    "priority": 3 + i % 2,
                    "comment": comment_1,
                    "proposed_text": "States should fund forensic identification." if i < 2 else "",
                },
                submission_key=f"mm1-{i}",
            )
            campaign = (
                "We the undersigned demand stronger cooperation on missing migrants now."
                if i < 8
                else ""
            )
            actions.save_answer(
                respondent,
                recs["MM-2"],
                {"support": mm2, "priority": 2, "comment": campaign},
                submission_key=f"mm2-{i}",
            )
            actions.save_answer(
                respondent,
                recs["MM-3"],
                {"support": 0 if i % 2 else 3},
                submission_key=f"mm3-{i}",
            )
            for n, (a, b) in enumerate([("MM-1", "MM-2"), ("MM-1", "MM-3"), ("MM-2", "MM-3")]):
                actions.record_choice(
                    respondent,
                    recs[a],
                    recs[b],
                    recs[a] if (i + n) % 5 else recs[b],
                    submission_key=f"pair-{i}-{n}",
                )
        unconfirmed = submissions.start_open_submission(
            demo,
            {
                "email": "never.confirmed@example.org",
                "organisation": "Unconfirmed Org",
                "stakeholder_group": "other",
                "country": "FR",
                "language": "fr",
                "attribution": "organisation",
                "consent": True,
            },
            {recs["MM-1"]: {"support": 1, "comment": "Unconfirmed comment must not count"}},
            submission_key="open-1",
        )
        assert unconfirmed.confirmed_at is None
        for n, stance in enumerate([Stance.SUPPORTS, Stance.CONCERNS, Stance.QUESTION]):
            actions.capture_point(
                sessions["africa"],
                moderator,
                {
                    "recommendation": recs["MM-1"],
                    "stakeholder_group": "member_state",
                    "country": "KE",
                    "stance": stance,
                    "note": f"Point {n} about identification",
                    "attributed_to": created[3] if n == 0 else None,
                },
                submission_key=f"point-{n}",
            )
    return Feedback(demo, created, moderator)
