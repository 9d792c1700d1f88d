"""The comment analysis of a synthesis: languages, campaigns, themes and rewordings, on
comments about missing migrants and humanitarian assistance written for the purpose."""

import itertools
import random
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consulta.synthesis.themes import (
    LANGUAGES,
    STOP_WORDS,
    Theme,
    analyse_comments,
    detect_language,
    group_rewordings,
    near_duplicates,
    normalise,
    themes,
)


@dataclass(frozen=True)
class Comment:
    """What `analyse_comments` reads of `consulta.synthesis.adapter.Comment`."""

    recommendation: int
    text: str
    language: str = ""
    proposed_text: str = ""


SENTENCES = {
    "en": [
        "The coast guard must launch search and rescue operations as soon as a boat in distress "
        "is reported, whatever the nationality of the people on board.",
        "Every body recovered at the border should be photographed and sampled for DNA before "
        "burial, so that families can one day identify their relatives.",
    ],
    "fr": [
        "Les familles des migrants disparus doivent être informées à chaque étape de la "
        "recherche et pouvoir déposer un échantillon d'ADN sans crainte d'être arrêtées.",
        "Les garde-côtes doivent porter secours à toute embarcation en détresse, quelle que "
        "soit la nationalité des personnes à bord.",
    ],
    "es": [
        "Los restos de las personas fallecidas en la frontera deben ser identificados mediante "
        "pruebas de ADN y devueltos a sus familias sin ningún costo.",
        "Los migrantes deben tener acceso a la atención médica y a un albergue seguro, sin "
        "importar su situación migratoria.",
    ],
    "ar": [
        "يجب على الدول ضمان حصول أسر المهاجرين المفقودين على المعلومات والدعم النفسي والقانوني "
        "دون خوف من الاعتقال أو الترحيل.",
        "ينبغي أخذ عينات الحمض النووي من كل جثة مجهولة الهوية ودفنها في قبر مرقم.",
    ],
    "ru": [
        "Государства должны обеспечить доступ мигрантов к медицинской помощи и убежищу "
        "независимо от их миграционного статуса.",
        "Береговая охрана обязана немедленно начинать поисково-спасательную операцию, как "
        "только поступает сигнал о лодке, терпящей бедствие.",
    ],
}


# Language


@pytest.mark.parametrize(
    ("language", "text"), [(lang, text) for lang, texts in SENTENCES.items() for text in texts]
)
def test_each_language_is_recognised_in_a_sentence_about_migrants(language, text):
    assert detect_language(text) == language
    wrong_hint = "ru" if language == "en" else "en"
    assert detect_language(text, hint=wrong_hint) == language


def test_the_hint_decides_for_a_very_short_text():
    assert detect_language("De acuerdo", hint="es") == "es"
    assert detect_language("OK merci", hint="fr") == "fr"
    assert detect_language("Agreed.", hint="fr-CA") == "fr"
    assert detect_language("", hint="ar") == "ar"
    assert detect_language("OK") in LANGUAGES
    assert detect_language("42 !") == "en"  # nothing to go by, no hint


def test_arabic_and_cyrillic_script_are_recognised_even_when_short():
    assert detect_language("موافق تماما", hint="en") == "ar"
    assert detect_language("Полностью согласен", hint="fr") == "ru"


# Campaigns

LETTER = (
    "As organisations working with the families of missing migrants, we ask that this "
    "recommendation commit every State to collect post-mortem data and DNA samples from all "
    "unidentified bodies found at sea and at land borders, and to share them through a single "
    "regional mechanism. Families must be able to search for their loved ones without "
    "travelling and without fear of arrest or deportation. Identification must come with "
    "dignified burial, the return of remains to relatives at no cost, and regular information "
    "to families on the progress of each case."
)
SIGNERS = ["Maria Lopez", "Ahmed Ben Salem", "Fatou Diop", "Olga Ivanova", "Carlos Ruiz"]
ORGANISATIONS = ["Caritas", "Red Crescent volunteer", "Families Association of Zarzis", ""]

CONCERNS = [
    "Search and rescue must not depend on the goodwill of private ships.",
    "Border guards should be trained to record every death they witness.",
    "Consulates rarely answer families who report a missing son or daughter.",
    "Unaccompanied children disappear from reception centres within days.",
    "Detention without contact with the outside world makes people vanish.",
    "Morgues near the coast have no refrigerated space left in summer.",
    "Health care for migrants should never be reported to the police.",
    "Data on deaths in the desert are far worse than data on deaths at sea.",
]
EXPERIENCES = [
    "Our clinic in Agadez sees this every week.",
    "We documented forty such cases in Tapachula last year.",
    "In Lampedusa the local cemetery is full of nameless graves.",
    "Lawyers in our network in Oujda confirm it.",
    "Fishermen in Zarzis have buried bodies themselves.",
]
DISTINCT = [f"{a} {b}" for a, b in itertools.product(CONCERNS, EXPERIENCES)]  # 40


def campaign(copies: int, seed: int = 7) -> list[str]:
    """Copies of LETTER as sent: signed, with a typo, in capitals, without punctuation."""
    rng = random.Random(seed)
    letters = []
    for i in range(copies):
        text = LETTER
        if i % 5 == 1:
            text = text.replace("deportation", "deportaton")
        if i % 7 == 2:
            text = text.upper()
        if i % 11 == 3:
            text = text.replace(",", "").replace(".", "")
        if i % 2:
            text += f"\n\n{rng.choice(SIGNERS)}, {rng.choice(ORGANISATIONS)}"
        letters.append(text)
    return letters


def test_a_campaign_with_signatures_and_typos_is_one_group_and_distinct_comments_stay_apart():
    texts = campaign(300) + DISTINCT
    random.Random(1).shuffle(texts)
    campaign_indices = [i for i, text in enumerate(texts) if text not in DISTINCT]
    groups = near_duplicates(texts)
    assert groups[0] == campaign_indices
    assert len(groups) == 1


def test_duplicate_groups_do_not_depend_on_the_order_of_the_comments():
    texts = campaign(30) + DISTINCT[:20] + [DISTINCT[0], DISTINCT[0].lower()]
    expected = {frozenset(texts[i] for i in group) for group in near_duplicates(texts)}
    for seed in range(5):
        order = list(range(len(texts)))
        random.Random(seed).shuffle(order)
        shuffled = [texts[i] for i in order]
        found = {frozenset(shuffled[i] for i in group) for group in near_duplicates(shuffled)}
        assert found == expected


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(campaign(6) + DISTINCT[:6] + ["", "  "]), max_size=40))
def test_duplicate_groups_are_disjoint_of_two_or_more_and_largest_first(texts):
    groups = near_duplicates(texts)
    members = [i for group in groups for i in group]
    assert len(members) == len(set(members))
    assert all(len(group) >= 2 and group == sorted(group) for group in groups)
    assert [len(group) for group in groups] == sorted((len(g) for g in groups), reverse=True)
    assert all(texts[i].strip() for i in members)  # empty comments are no campaign


def test_normalising_ignores_case_punctuation_spaces_and_arabic_diacritics():
    assert normalise("  Families have   the RIGHT to know!! ") == "families have the right to know"
    assert normalise("l'ADN — «vite»") == "l adn vite"
    assert normalise("المُهَاجِرِينَ ـ المفقودين") == normalise("المهاجرين المفقودين")


# Themes

FORENSIC_OPENINGS = [
    "Forensic identification of the dead must become routine.",
    "DNA samples should be taken from every unidentified body.",
    "Post-mortem data and DNA profiles should be kept in one forensic database.",
    "No body should be buried before a forensic examination and a DNA sample.",
    "Burial in marked graves is the condition for any later identification.",
]
FORENSIC_DETAILS = [
    "Families could then compare their DNA with the remains.",
    "Nameless graves and lost burial records make identification impossible.",
    "Forensic teams need funding for DNA analysis and exhumations.",
    "Remains should be returned to relatives after identification.",
]
RESCUE_OPENINGS = [
    "Search and rescue at sea is a legal duty of every coastal State.",
    "The coast guard must answer every distress call from a boat.",
    "Rescue ships of NGOs should never be seized or fined.",
    "Boats in distress are left drifting for days off the coast.",
    "Coast guard patrols should be equipped to rescue people at sea.",
]
RESCUE_DETAILS = [
    "Survivors should be disembarked in a safe port quickly.",
    "Merchant ships avoid the area because disembarkation takes weeks.",
    "A rescue coordination centre should cover the whole sea.",
    "Patrol boats and aircraft must search until every boat is found.",
]
FORENSIC = [f"{a} {b}" for a, b in itertools.product(FORENSIC_OPENINGS, FORENSIC_DETAILS)]
RESCUE = [f"{a} {b}" for a, b in itertools.product(RESCUE_OPENINGS, RESCUE_DETAILS)]


def test_two_topics_in_english_give_two_themes_with_their_own_terms_and_quotes():
    texts = FORENSIC + RESCUE
    random.Random(3).shuffle(texts)
    found = themes(texts, "en")
    assert len(found) == 2
    by_topic = {}
    for theme in found:
        topic = {texts[i] in FORENSIC for i in theme.members}
        assert len(topic) == 1, "a theme mixes the two topics"
        by_topic["forensic" if topic.pop() else "rescue"] = theme
    assert by_topic["forensic"].size == by_topic["rescue"].size == 20
    forensic_terms = " ".join(by_topic["forensic"].terms)
    rescue_terms = " ".join(by_topic["rescue"].terms)
    assert any(word in forensic_terms for word in ("dna", "forensic", "burial", "identification"))
    assert any(word in rescue_terms for word in ("rescue", "boat", "coast", "sea", "distress"))
    for theme in found:
        assert 1 <= len(theme.terms) <= 5
        assert len(theme.quotes) == 2
        assert set(theme.quotes) <= set(theme.members)


def test_quotes_are_the_comments_as_written():
    comments = [Comment(0, text, "en") for text in FORENSIC + RESCUE]
    result = analyse_comments(comments)[0]
    quoted = [i for theme in result["themes"]["en"] for i in theme.quotes]
    assert quoted
    assert all(comments[i].text in FORENSIC + RESCUE for i in quoted)


FRENCH = [
    f"{a} {b}"
    for a, b in itertools.product(
        [
            "Les familles des disparus attendent des nouvelles pendant des années.",
            "Les proches doivent pouvoir signaler une disparition sans crainte d'arrestation.",
            "Les mères des disparus ont besoin d'un soutien psychologique.",
            "Chaque famille devrait recevoir une réponse des autorités consulaires.",
        ],
        [
            "Les familles doivent être informées de chaque recherche.",
            "Un point de contact unique aiderait les familles.",
        ],
    )
] + [
    f"{a} {b}"
    for a, b in itertools.product(
        [
            "Les garde-côtes doivent secourir chaque embarcation en détresse.",
            "Le sauvetage en mer est une obligation pour les navires.",
            "Les navires de sauvetage des associations ne doivent pas être saisis.",
            "Les embarcations en détresse dérivent pendant des jours en mer.",
        ],
        [
            "Les rescapés doivent débarquer rapidement dans un port sûr.",
            "Un centre de coordination du sauvetage doit couvrir toute la mer.",
        ],
    )
]
ARABIC = [
    f"{a} {b}"
    for a, b in itertools.product(
        [
            "تنتظر أسر المهاجرين المفقودين سنوات دون أي خبر عن أبنائها.",
            "يجب أن تتمكن الأسر من الإبلاغ عن المفقودين دون خوف من الاعتقال.",
            "تحتاج أمهات المفقودين إلى دعم نفسي وقانوني.",
            "يجب على القنصليات الرد على كل أسرة تسأل عن ابنها المفقود.",
        ],
        ["يجب إبلاغ الأسر بكل مراحل البحث.", "نقطة اتصال واحدة تساعد الأسر كثيرا."],
    )
] + [
    f"{a} {b}"
    for a, b in itertools.product(
        [
            "يجب على خفر السواحل إنقاذ كل قارب في خطر.",
            "الإنقاذ في البحر واجب على جميع السفن.",
            "لا يجوز احتجاز سفن الإنقاذ التابعة للمنظمات.",
            "تبقى القوارب المعطلة في البحر أياما دون مساعدة.",
        ],
        ["يجب إنزال الناجين بسرعة في ميناء آمن.", "ينبغي أن يغطي مركز تنسيق الإنقاذ البحر كله."],
    )
]


@pytest.mark.parametrize(("language", "texts"), [("fr", FRENCH), ("ar", ARABIC)])
def test_french_and_arabic_comments_give_themes_in_their_own_words(language, texts):
    found = themes(texts, language)
    assert sum(theme.size for theme in found) == len(texts)
    vocabulary = set(" ".join(normalise(text) for text in texts).split())
    terms = [term for theme in found for term in theme.terms]
    assert terms
    for term in terms:
        assert set(term.split()) <= vocabulary, term
        assert not set(term.split()) & STOP_WORDS[language], term
    if language == "ar":
        assert all("\u0600" <= char <= "\u06ff" for term in terms for char in term.replace(" ", ""))
    assert len(found) == 2


def test_a_campaign_is_one_voice_in_the_clustering_but_counts_in_the_theme_size():
    texts = FORENSIC + RESCUE
    weights = [1] * len(texts)
    weights[0] = 300  # FORENSIC[0] stands for a campaign of 300 copies
    found = themes(texts, "en", weights=weights)
    assert [theme.members for theme in found] == [theme.members for theme in themes(texts, "en")]
    forensic = next(theme for theme in found if 0 in theme.members)
    assert forensic.size == 319


def test_fewer_than_three_comments_make_one_theme_without_clustering():
    found = themes(RESCUE[:2], "en", quotes=2)
    assert len(found) == 1
    assert found[0].members == [0, 1] and found[0].size == 2
    assert sorted(found[0].quotes) == [0, 1]


def test_comments_made_only_of_stop_words_make_one_theme_without_terms():
    found = themes(["Me too.", "So do we", "All of it!"], "en")
    assert found == [Theme(terms=[], size=3, members=[0, 1, 2], quotes=[0, 1])]


# Rewordings

REWORDINGS = [
    "States should establish a regional mechanism to search for missing migrants.",
    "States must establish a regional mechanism to search for missing migrants.",
    "States should establish a joint regional mechanism to search for missing migrants.",
    "Rescue at sea must never be criminalised.",
    "Rescue at sea should never be criminalised.",
    "Delete this recommendation: it duplicates recommendation 4.",
]


def test_similar_rewordings_are_grouped_and_an_original_one_stays_alone():
    assert group_rewordings(REWORDINGS) == [[0, 1, 2], [3, 4], [5]]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([*REWORDINGS, "", "Yes"]), max_size=30))
def test_every_rewording_is_in_exactly_one_group(texts):
    groups = group_rewordings(texts)
    assert sorted(i for group in groups for i in group) == list(range(len(texts)))


# The analysis of a consultation's comments


def consultation_comments() -> list[Comment]:
    comments = [Comment(0, text, "en") for text in campaign(40)]
    comments += [Comment(0, text, "" if i % 2 else "en") for i, text in enumerate(FORENSIC)]
    comments += [Comment(0, text, "fr") for text in FRENCH]
    comments += [Comment(1, text, "ar") for text in ARABIC]
    comments += [Comment(1, "", "", proposed) for proposed in REWORDINGS]
    comments += [Comment(1, "Totally agree", "es")]
    random.Random(5).shuffle(comments)
    return comments


def test_the_analysis_gives_languages_campaigns_themes_and_rewordings_per_recommendation():
    comments = consultation_comments()
    result = analyse_comments(comments)
    assert sorted(result) == [0, 1]

    first = result[0]
    assert first["languages"] == {"en": 60, "fr": 16}
    [letters] = first["duplicates"]
    assert letters["size"] == 40
    assert sorted(letters["members"]) == [
        i for i, c in enumerate(comments) if c.text in campaign(40)
    ]
    assert comments[letters["example"]].text == LETTER  # the most common form
    english = first["themes"]["en"]
    # The campaign is reported on its own and kept out of the themes.
    assert sum(theme.size for theme in english) == 20
    assert sorted(i for theme in english for i in theme.members) == sorted(
        i
        for i, c in enumerate(comments)
        if c.recommendation == 0 and c.text not in FRENCH and i not in letters["members"]
    )
    assert first["rewordings"] == []

    second = result[1]
    assert second["languages"] == {"ar": 16, "es": 1}
    assert second["duplicates"] == []
    proposals = [i for i, c in enumerate(comments) if c.proposed_text]
    assert sorted(i for group in second["rewordings"] for i in group) == proposals
    assert [len(group) for group in second["rewordings"]] == [3, 2, 1]


def test_the_analysis_is_deterministic():
    comments = consultation_comments()
    assert analyse_comments(comments) == analyse_comments(comments)


def test_nothing_in_gives_nothing_out():
    assert near_duplicates([]) == []
    assert group_rewordings([]) == []
    assert themes([], "en") == []
    assert analyse_comments([]) == {}
    assert near_duplicates(["", " ", "Only one comment"]) == []


def test_analysing_recommendations_in_parallel_gives_the_same_result(monkeypatch):
    import consulta.synthesis.themes as module

    comments = [
        Comment(r, text, "en", "")
        for r in range(3)
        for text in (
            f"Search and rescue boats must reach people at sea quickly, case {n} of {r}."
            if n % 2
            else f"Forensic identification with DNA helps families of the missing, case {n}."
            for n in range(30)
        )
    ]
    sequential = analyse_comments(comments)
    monkeypatch.setattr(module, "PARALLEL_FROM", 1)
    assert analyse_comments(comments) == sequential
