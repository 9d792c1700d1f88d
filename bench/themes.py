"""Time the comment analysis on a generated consultation and print the figures.

    .venv/bin/python bench/themes.py [--comments 100000] [--campaign 5000]

Generates N comments (10 % of a million answers) across 12 recommendations in English,
French, Spanish, Arabic and Russian from sentence templates about missing migrants and
humanitarian assistance, with random places, actors and figures; a 5,000-copy English letter
(a third of them signed or with a typo) and an 800-copy French one; short agreements; and
proposed rewordings of the recommendations. Then times `analyse_comments` end to end,
`near_duplicates` on all comments at once, and `detect_language` on each comment (checked
against the language it was written in).
"""

import argparse
import os
import random
import resource
import time
from collections import Counter
from dataclasses import dataclass

from consulta.synthesis.themes import analyse_comments, detect_language, near_duplicates

RECOMMENDATIONS = 12
SHARES = {"en": 0.45, "fr": 0.2, "es": 0.15, "ar": 0.1, "ru": 0.1}


@dataclass(frozen=True)
class Comment:
    recommendation: int
    text: str
    language: str
    proposed_text: str = ""


SENTENCES = {
    "en": {
        "rescue": [
            "The {actor} must launch search and rescue as soon as a boat in distress is reported near {place}.",
            "Rescue at sea is a legal duty and ships that bring people to {place} should never be punished.",
            "Too many boats sink off {place} while the {actor} waits; {number} people died last year alone.",
            "Search and rescue capacity in the central Mediterranean should be restored, with clear rules on disembarkation.",
            "Coast guards need more patrol boats and trained crews to answer distress calls within hours.",
        ],
        "identification": [
            "Every body recovered near {place} should be examined, photographed and sampled for DNA before burial.",
            "The {actor} should keep post-mortem records and share them with families through a single database.",
            "Forensic identification takes years; {number} graves near {place} still hold unidentified migrants.",
            "Unidentified remains must be buried in marked graves so that they can be exhumed and identified later.",
            "DNA matching between relatives and remains should be free and available in the countries of origin.",
        ],
        "families": [
            "Families of missing migrants in {place} wait for years without any news of their sons and daughters.",
            "Relatives should be able to report a missing person to the {actor} without fear of arrest or deportation.",
            "Mothers of the disappeared need psychological support and legal recognition of their situation.",
            "The {actor} should answer every family that asks about a missing relative within {number} days.",
            "Families must be told when a body is found and be able to bring their loved ones home.",
        ],
        "services": [
            "Migrants in {place} must have access to health care, shelter and clean water whatever their status.",
            "Humanitarian assistance should never be conditional on immigration status or on cooperation with the police.",
            "The {actor} should open safe points where migrants can get medical care, food and legal advice.",
            "Access to services near {place} is blocked by checkpoints; at least {number} people were turned away.",
            "Firewalls are needed so that hospitals and shelters do not pass information to immigration enforcement.",
        ],
        "data": [
            "States should publish data on deaths and disappearances along the route through {place} every year.",
            "The {actor} should count the missing in a common way so that figures can be compared across borders.",
            "Personal data collected from families must be protected and never used for immigration control.",
            "A regional mechanism should share information between countries of origin, transit and destination.",
            "Data on missing migrants are scattered; {number} different registers exist for the same border.",
        ],
        "detention": [
            "Detention of migrants in {place} increases the risk of disappearance and must end for children.",
            "People held in detention centres should be allowed to call their families as soon as they arrive.",
            "The {actor} should keep a record of every person detained and transferred so that nobody vanishes.",
            "Pushbacks at the border near {place} leave people stranded in the desert without water.",
            "Independent monitors should visit detention centres and border posts without prior notice.",
        ],
    },
    "fr": {
        "rescue": [
            "Les {actor} doivent lancer les opérations de recherche et de sauvetage dès qu'un bateau en détresse est signalé près de {place}.",
            "Le sauvetage en mer est une obligation et les navires qui débarquent des personnes à {place} ne doivent jamais être sanctionnés.",
            "Trop d'embarcations coulent au large de {place}; {number} personnes sont mortes l'an dernier.",
            "Les garde-côtes ont besoin de vedettes et d'équipages formés pour répondre aux appels de détresse.",
            "Il faut rétablir une capacité de sauvetage en Méditerranée avec des règles claires de débarquement.",
        ],
        "identification": [
            "Chaque corps retrouvé près de {place} doit être examiné, photographié et prélevé pour l'ADN avant l'inhumation.",
            "Les {actor} devraient conserver les données post-mortem et les partager avec les familles.",
            "L'identification médico-légale prend des années; {number} tombes près de {place} restent anonymes.",
            "Les restes non identifiés doivent être inhumés dans des tombes numérotées pour permettre une exhumation.",
            "La comparaison ADN entre les proches et les restes devrait être gratuite dans les pays d'origine.",
        ],
        "families": [
            "Les familles des migrants disparus à {place} attendent des années sans nouvelles de leurs enfants.",
            "Les proches doivent pouvoir signaler une disparition aux {actor} sans crainte d'arrestation.",
            "Les mères des disparus ont besoin d'un soutien psychologique et d'une reconnaissance juridique.",
            "Les {actor} devraient répondre à chaque famille dans un délai de {number} jours.",
            "Les familles doivent être informées lorsqu'un corps est retrouvé et pouvoir rapatrier leurs proches.",
        ],
        "services": [
            "Les migrants à {place} doivent avoir accès aux soins, à un abri et à l'eau potable quel que soit leur statut.",
            "L'aide humanitaire ne doit jamais dépendre du statut migratoire ni d'une coopération avec la police.",
            "Les {actor} devraient ouvrir des points d'accueil où les migrants reçoivent soins, nourriture et conseils juridiques.",
            "L'accès aux services près de {place} est bloqué par des contrôles; {number} personnes ont été refoulées.",
            "Il faut un pare-feu pour que les hôpitaux et les foyers ne transmettent rien aux services d'immigration.",
        ],
        "data": [
            "Les États devraient publier chaque année les données sur les décès et les disparitions le long de la route de {place}.",
            "Les {actor} devraient compter les disparus de la même manière pour comparer les chiffres entre pays.",
            "Les données personnelles des familles doivent être protégées et jamais utilisées pour le contrôle migratoire.",
            "Un mécanisme régional devrait partager les informations entre pays d'origine, de transit et de destination.",
        ],
        "detention": [
            "La détention des migrants à {place} accroît le risque de disparition et doit cesser pour les enfants.",
            "Les personnes détenues doivent pouvoir appeler leur famille dès leur arrivée au centre.",
            "Les refoulements à la frontière près de {place} abandonnent des personnes dans le désert sans eau.",
            "Des observateurs indépendants devraient visiter les centres de rétention sans préavis.",
        ],
    },
    "es": {
        "rescue": [
            "Los {actor} deben iniciar la búsqueda y el rescate en cuanto se informe de una embarcación en peligro cerca de {place}.",
            "El rescate en el mar es una obligación y los barcos que desembarcan personas en {place} no deben ser sancionados.",
            "Demasiadas pateras naufragan frente a {place}; {number} personas murieron el año pasado.",
            "Los guardacostas necesitan más lanchas y tripulaciones formadas para responder a las llamadas de socorro.",
        ],
        "identification": [
            "Cada cuerpo recuperado cerca de {place} debe ser examinado y se debe tomar una muestra de ADN antes del entierro.",
            "Los {actor} deberían conservar los registros forenses y compartirlos con las familias.",
            "La identificación forense tarda años; {number} tumbas cerca de {place} siguen sin nombre.",
            "Los restos sin identificar deben enterrarse en tumbas señaladas para poder exhumarlos más tarde.",
        ],
        "families": [
            "Las familias de los migrantes desaparecidos en {place} esperan años sin noticias de sus hijos.",
            "Los familiares deben poder denunciar una desaparición ante los {actor} sin miedo a ser detenidos.",
            "Las madres de los desaparecidos necesitan apoyo psicológico y reconocimiento legal.",
            "Los {actor} deberían responder a cada familia en un plazo de {number} días.",
        ],
        "services": [
            "Los migrantes en {place} deben tener acceso a la salud, a un albergue y al agua potable sin importar su situación.",
            "La asistencia humanitaria nunca debe depender de la situación migratoria ni de la cooperación con la policía.",
            "Los {actor} deberían abrir puntos seguros donde los migrantes reciban atención médica, comida y asesoría legal.",
            "El acceso a los servicios cerca de {place} está bloqueado por controles; {number} personas fueron rechazadas.",
        ],
        "data": [
            "Los Estados deberían publicar cada año datos sobre muertes y desapariciones en la ruta de {place}.",
            "Los datos personales de las familias deben protegerse y nunca usarse para el control migratorio.",
            "Un mecanismo regional debería compartir información entre países de origen, tránsito y destino.",
        ],
        "detention": [
            "La detención de migrantes en {place} aumenta el riesgo de desaparición y debe terminar para los niños.",
            "Las devoluciones en la frontera cerca de {place} dejan a personas abandonadas en el desierto sin agua.",
            "Observadores independientes deberían visitar los centros de detención sin aviso previo.",
        ],
    },
    "ar": {
        "rescue": [
            "يجب على {actor} إطلاق عمليات البحث والإنقاذ فور الإبلاغ عن قارب في خطر قرب {place}.",
            "الإنقاذ في البحر واجب قانوني ولا يجوز معاقبة السفن التي تنزل الناس في {place}.",
            "تغرق قوارب كثيرة قبالة {place}؛ وقد توفي {number} شخصا في العام الماضي وحده.",
            "يحتاج خفر السواحل إلى زوارق دورية وطواقم مدربة للرد على نداءات الاستغاثة.",
        ],
        "identification": [
            "يجب فحص كل جثة يتم انتشالها قرب {place} وأخذ عينة من الحمض النووي قبل الدفن.",
            "ينبغي على {actor} الاحتفاظ بسجلات ما بعد الوفاة ومشاركتها مع الأسر.",
            "يستغرق التعرف على الرفات سنوات؛ وما زالت {number} مقبرة قرب {place} مجهولة الهوية.",
            "يجب دفن الرفات المجهولة في قبور مرقمة حتى يمكن استخراجها والتعرف عليها لاحقا.",
        ],
        "families": [
            "تنتظر أسر المهاجرين المفقودين في {place} سنوات دون أي خبر عن أبنائها.",
            "يجب أن يتمكن الأقارب من الإبلاغ عن شخص مفقود لدى {actor} دون خوف من الاعتقال.",
            "تحتاج أمهات المفقودين إلى دعم نفسي واعتراف قانوني بوضعهن.",
            "ينبغي على {actor} الرد على كل أسرة خلال {number} يوما.",
        ],
        "services": [
            "يجب أن يحصل المهاجرون في {place} على الرعاية الصحية والمأوى والمياه النظيفة بغض النظر عن وضعهم.",
            "لا يجوز أن تكون المساعدة الإنسانية مشروطة بالوضع القانوني أو بالتعاون مع الشرطة.",
            "ينبغي على {actor} فتح نقاط آمنة يحصل فيها المهاجرون على العلاج والغذاء والمشورة القانونية.",
        ],
        "data": [
            "ينبغي على الدول نشر بيانات سنوية عن الوفيات وحالات الاختفاء على طريق {place}.",
            "يجب حماية البيانات الشخصية للأسر وعدم استخدامها أبدا لمراقبة الهجرة.",
        ],
        "detention": [
            "احتجاز المهاجرين في {place} يزيد خطر الاختفاء ويجب أن ينتهي بالنسبة للأطفال.",
            "عمليات الإعادة القسرية على الحدود قرب {place} تترك الناس في الصحراء دون ماء.",
        ],
    },
    "ru": {
        "rescue": [
            "{actor} должны начинать поиск и спасение, как только поступает сигнал о лодке в беде у {place}.",
            "Спасение на море является обязанностью, и суда, высаживающие людей в {place}, нельзя наказывать.",
            "Слишком много лодок тонет у {place}; в прошлом году погибли {number} человек.",
            "Береговой охране нужны патрульные катера и обученные экипажи для ответа на сигналы бедствия.",
        ],
        "identification": [
            "Каждое тело, найденное у {place}, должно быть обследовано, а образец ДНК взят до захоронения.",
            "{actor} должны хранить посмертные данные и передавать их семьям.",
            "Опознание занимает годы; {number} могил у {place} до сих пор без имени.",
        ],
        "families": [
            "Семьи пропавших мигрантов в {place} годами ждут вестей о своих детях.",
            "Родственники должны иметь возможность сообщить о пропавшем в {actor} без страха ареста.",
            "Матерям пропавших нужна психологическая поддержка и правовое признание.",
        ],
        "services": [
            "Мигранты в {place} должны иметь доступ к медицинской помощи, жилью и чистой воде независимо от статуса.",
            "Гуманитарная помощь никогда не должна зависеть от миграционного статуса или сотрудничества с полицией.",
            "{actor} должны открыть безопасные пункты, где мигранты получают лечение, еду и юридическую помощь.",
        ],
        "data": [
            "Государства должны ежегодно публиковать данные о гибели и исчезновении людей на маршруте через {place}.",
            "Персональные данные семей должны быть защищены и никогда не использоваться для миграционного контроля.",
        ],
        "detention": [
            "Содержание мигрантов под стражей в {place} повышает риск исчезновения и должно прекратиться для детей.",
            "Выдворения на границе у {place} оставляют людей в пустыне без воды.",
        ],
    },
}

SLOTS = {
    "en": {
        "actor": [
            "coast guard",
            "navy",
            "national authorities",
            "border police",
            "Red Cross",
            "ministry of the interior",
        ],
        "place": [
            "Lampedusa",
            "the Canary Islands",
            "Agadez",
            "the Darien Gap",
            "Tapachula",
            "Zarzis",
            "Evros",
            "Calais",
            "Sabha",
        ],
    },
    "fr": {
        "actor": [
            "garde-côtes",
            "autorités nationales",
            "polices aux frontières",
            "sociétés de la Croix-Rouge",
            "ministères",
        ],
        "place": [
            "Lampedusa",
            "Agadez",
            "Zarzis",
            "Calais",
            "Mayotte",
            "Nouadhibou",
            "Dakar",
            "Oujda",
        ],
    },
    "es": {
        "actor": [
            "guardacostas",
            "autoridades nacionales",
            "servicios forenses",
            "consulados",
            "ministerios",
        ],
        "place": ["Tapachula", "el Darién", "Ceuta", "Melilla", "Canarias", "Tijuana", "Arica"],
    },
    "ar": {
        "actor": ["خفر السواحل", "السلطات الوطنية", "الهلال الأحمر", "وزارة الداخلية"],
        "place": ["جرجيس", "طرابلس", "صبراتة", "الحدود الليبية", "أغاديس", "وهران"],
    },
    "ru": {
        "actor": ["Пограничные службы", "Национальные власти", "Консульства", "Министерства"],
        "place": ["Бреста", "границы с Польшей", "Калининграда", "Средиземного моря", "Стамбула"],
    },
}

OPENINGS = {
    "en": [
        "We welcome this recommendation.",
        "This is essential.",
        "We partly agree.",
        "Our network supports this, with one concern:",
    ],
    "fr": [
        "Nous saluons cette recommandation.",
        "C'est essentiel.",
        "Nous sommes en partie d'accord.",
    ],
    "es": ["Apoyamos esta recomendación.", "Es fundamental.", "Estamos de acuerdo en parte."],
    "ar": ["نرحب بهذه التوصية.", "هذا أمر أساسي."],
    "ru": ["Мы поддерживаем эту рекомендацию.", "Это крайне важно."],
}
# Said by some before or after a sentence: independent comments rarely read alike.
LEADS = {
    "en": [
        "In our experience,",
        "Above all,",
        "From the field:",
        "Frankly,",
        "As a lawyer,",
        "In practice,",
        "Again,",
    ],
    "fr": [
        "Selon notre expérience,",
        "Avant tout,",
        "Sur le terrain,",
        "Franchement,",
        "En pratique,",
    ],
    "es": ["Según nuestra experiencia,", "Sobre todo,", "En el terreno,", "En la práctica,"],
    "ar": ["من خلال تجربتنا،", "قبل كل شيء،", "في الواقع،"],
    "ru": ["По нашему опыту,", "Прежде всего,", "На практике,"],
}
ASIDES = {
    "en": [
        "which our volunteers see every week",
        "as the last report of our network showed",
        "and this was already promised in 2018",
        "but funding is still missing",
        "especially for women and unaccompanied children",
        "without waiting for a new law",
        "in cooperation with local communities",
        "even where the route has moved inland",
    ],
    "fr": [
        "ce que nos bénévoles constatent chaque semaine",
        "comme l'a montré le dernier rapport de notre réseau",
        "mais le financement manque toujours",
        "en particulier pour les femmes et les mineurs non accompagnés",
        "sans attendre une nouvelle loi",
        "avec les communautés locales",
    ],
    "es": [
        "como vemos cada semana en los albergues",
        "pero sigue faltando financiación",
        "sobre todo para las mujeres y los menores no acompañados",
        "sin esperar una nueva ley",
        "junto con las comunidades locales",
    ],
    "ar": [
        "كما يرى متطوعونا كل أسبوع",
        "لكن التمويل ما زال غائبا",
        "خاصة للنساء والأطفال غير المصحوبين",
    ],
    "ru": [
        "как видят наши волонтеры каждую неделю",
        "но финансирования по-прежнему нет",
        "особенно для женщин и детей",
    ],
}
# A sentence of context from each commenter's own experience, built from five parts: what
# makes independent comments on the same point differ as much as real ones do.
CONTEXT = {
    "en": [
        [
            "Our team",
            "A family we support",
            "Our lawyers",
            "The local clinic",
            "Our volunteers",
            "A parish group",
            "The mayor's office",
            "Fishermen we know",
        ],
        ["met", "documented", "reported", "counted", "followed", "buried", "helped", "interviewed"],
        [
            "two brothers from Guinea",
            "a mother searching for her son",
            "dozens of survivors",
            "an unnamed teenager",
            "people sleeping outside",
            "the relatives of the drowned",
            "a group of women",
            "several minors",
        ],
        [
            "on the beach",
            "at the bus station",
            "in the hospital",
            "near the border fence",
            "at the morgue",
            "in the desert",
            "at the port",
            "in a shelter",
        ],
        [
            "last winter.",
            "in March.",
            "this year.",
            "two weeks ago.",
            "since 2021.",
            "every summer.",
            "after the last shipwreck.",
            "during the storm.",
        ],
    ],
    "fr": [
        [
            "Notre équipe",
            "Une famille que nous suivons",
            "Nos avocats",
            "Le dispensaire",
            "Nos bénévoles",
            "Un groupe paroissial",
            "La mairie",
            "Des pêcheurs",
        ],
        [
            "a rencontré",
            "a documenté",
            "a signalé",
            "a compté",
            "a accompagné",
            "a enterré",
            "a aidé",
            "a interrogé",
        ],
        [
            "deux frères guinéens",
            "une mère qui cherche son fils",
            "des dizaines de rescapés",
            "un adolescent sans nom",
            "des personnes à la rue",
            "les proches des noyés",
            "un groupe de femmes",
            "plusieurs mineurs",
        ],
        [
            "sur la plage",
            "à la gare routière",
            "à l'hôpital",
            "près de la clôture",
            "à la morgue",
            "dans le désert",
            "au port",
            "dans un foyer",
        ],
        [
            "l'hiver dernier.",
            "en mars.",
            "cette année.",
            "il y a deux semaines.",
            "depuis 2021.",
            "chaque été.",
            "après le dernier naufrage.",
            "pendant la tempête.",
        ],
    ],
    "es": [
        [
            "Nuestro equipo",
            "Una familia que acompañamos",
            "Nuestros abogados",
            "La clínica local",
            "Nuestros voluntarios",
            "Un grupo parroquial",
            "La alcaldía",
            "Unos pescadores",
        ],
        [
            "conoció a",
            "documentó a",
            "denunció el caso de",
            "contó a",
            "acompañó a",
            "enterró a",
            "ayudó a",
            "entrevistó a",
        ],
        [
            "dos hermanos hondureños",
            "una madre que busca a su hijo",
            "decenas de sobrevivientes",
            "un adolescente sin nombre",
            "personas durmiendo en la calle",
            "los familiares de los ahogados",
            "un grupo de mujeres",
            "varios menores",
        ],
        [
            "en la playa",
            "en la terminal de autobuses",
            "en el hospital",
            "junto al muro",
            "en la morgue",
            "en el desierto",
            "en el puerto",
            "en un albergue",
        ],
        [
            "el invierno pasado.",
            "en marzo.",
            "este año.",
            "hace dos semanas.",
            "desde 2021.",
            "cada verano.",
            "tras el último naufragio.",
            "durante la tormenta.",
        ],
    ],
    "ar": [
        ["فريقنا", "أسرة نرافقها", "محامونا", "العيادة المحلية", "متطوعونا"],
        ["التقى", "وثق حالة", "أبلغ عن", "ساعد", "دفن"],
        [
            "شقيقين من غينيا",
            "أما تبحث عن ابنها",
            "عشرات الناجين",
            "مراهقا مجهول الهوية",
            "مجموعة من النساء",
        ],
        ["على الشاطئ", "في المستشفى", "قرب السياج الحدودي", "في المشرحة", "في الميناء"],
        ["الشتاء الماضي.", "في مارس.", "هذا العام.", "قبل أسبوعين.", "بعد الغرق الأخير."],
    ],
    "ru": [
        [
            "Наша команда",
            "Семья, которой мы помогаем",
            "Наши юристы",
            "Местная клиника",
            "Наши волонтеры",
        ],
        ["встретила", "задокументировала", "сообщила о", "помогла", "похоронила"],
        [
            "двух братьев из Гвинеи",
            "мать, ищущую сына",
            "десятки выживших",
            "неизвестного подростка",
            "группу женщин",
        ],
        ["на пляже", "в больнице", "у пограничного забора", "в морге", "в порту"],
        [
            "прошлой зимой.",
            "в марте.",
            "в этом году.",
            "две недели назад.",
            "после последнего крушения.",
        ],
    ],
}
SHORT = {
    "en": ["Agreed.", "Fully agree", "Good idea", "Yes, absolutely", "Not realistic"],
    "fr": ["D'accord.", "Tout à fait", "Bonne idée", "Pas réaliste"],
    "es": ["De acuerdo.", "Totalmente", "Buena idea"],
    "ar": ["موافق", "فكرة جيدة"],
    "ru": ["Согласен", "Хорошая идея"],
}

LETTER_EN = (
    "As members of civil society working with the families of missing migrants, we ask that this "
    "recommendation commit every State to collect and share post-mortem data and DNA samples of "
    "unidentified bodies found at sea and at land borders, through a single regional mechanism, "
    "so that families can search for their loved ones without having to travel and without fear "
    "of arrest. Families have the right to know. Identification must come with dignified burial "
    "and the return of remains to relatives, and no family should pay for it."
)
LETTER_FR = (
    "En tant qu'associations de familles de migrants disparus, nous demandons que cette "
    "recommandation oblige les États à ouvrir leurs archives, à prélever l'ADN de chaque corps non "
    "identifié et à informer les familles sans délai. Les familles ont le droit de savoir."
)
NAMES = [
    "Maria Lopez",
    "Ahmed Ben Salem",
    "John Smith",
    "Fatou Diop",
    "Olga Ivanova",
    "Carlos Ruiz",
    "Amina Yusuf",
    "Jean Dupont",
    "Aisha Kamara",
    "Pedro Gomez",
    "Lina Haddad",
    "Tom Brown",
]
BASE_REWORDINGS = [
    "States should establish a regional mechanism to search for missing migrants and inform their families.",
    "Search and rescue at sea should be coordinated and never criminalised.",
    "Every unidentified body should be documented, sampled for DNA and buried in a marked grave.",
    "Humanitarian assistance should be provided to all migrants regardless of their status.",
]
SYNONYMS = {
    "should": ["must", "shall", "ought to"],
    "establish": ["create", "set up"],
    "regional": ["joint", "cross-border"],
    "inform": ["support", "notify"],
    "coordinated": ["strengthened", "funded"],
    "never": ["not be"],
    "documented": ["recorded", "examined"],
    "provided": ["guaranteed", "offered"],
    "all": ["every"],
}


def comment_text(rng: random.Random, language: str, topics: list[str]) -> str:
    if rng.random() < 0.06:
        return rng.choice(SHORT[language])
    sentences = SENTENCES[language]
    parts = [rng.choice(OPENINGS[language])] if rng.random() < 0.3 else []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        topic = rng.choice(topics) if rng.random() < 0.85 else rng.choice(list(sentences))
        sentence = rng.choice(sentences[topic]).format(
            actor=rng.choice(SLOTS[language]["actor"]),
            place=rng.choice(SLOTS[language]["place"]),
            number=rng.randint(3, 900),
        )
        if rng.random() < 0.4:
            sentence = f"{rng.choice(LEADS[language])} {sentence[0].lower()}{sentence[1:]}"
        if rng.random() < 0.5:
            sentence = f"{sentence[:-1]}, {rng.choice(ASIDES[language])}{sentence[-1]}"
        parts.append(sentence)
    if rng.random() < 0.7:
        parts.insert(rng.randint(0, len(parts)), " ".join(rng.choice(p) for p in CONTEXT[language]))
    return " ".join(parts)


def rewording(rng: random.Random, recommendation: int) -> str:
    words = BASE_REWORDINGS[recommendation % len(BASE_REWORDINGS)].split()
    for _ in range(rng.randint(0, 2)):
        spot = rng.randrange(len(words))
        words[spot] = rng.choice(SYNONYMS.get(words[spot], [words[spot]]))
    if rng.random() < 0.4:
        words.append(
            rng.choice(["", "within one year.", "with civil society.", "and report yearly."])
        )
    return " ".join(words).strip()


def campaign_copy(rng: random.Random, letter: str, i: int) -> str:
    if i % 3:
        return letter
    text = letter.replace("regional", "reigonal") if i % 7 == 0 else letter
    return f"{text}\n{rng.choice(NAMES)}, {rng.choice(['Caritas', 'Red Crescent', 'family member', ''])}"


def generate(n_comments: int, campaign: int, seed: int = 1) -> tuple[list[Comment], list[str]]:
    """The comments, and the language each was written in."""
    rng = random.Random(seed)
    all_topics = list(SENTENCES["en"])
    leaning = {r: rng.sample(all_topics, 2) for r in range(RECOMMENDATIONS)}
    languages, shares = zip(*SHARES.items(), strict=True)
    comments = []
    for i in range(campaign):
        comments.append((Comment(3, campaign_copy(rng, LETTER_EN, i), "en"), "en"))
    for i in range(min(800, n_comments // 100)):
        comments.append((Comment(7, campaign_copy(rng, LETTER_FR, i), "fr"), "fr"))
    while len(comments) < n_comments:
        recommendation = rng.randrange(RECOMMENDATIONS)
        language = rng.choices(languages, shares)[0]
        topics = [t for t in leaning[recommendation] if t in SENTENCES[language]] or all_topics
        hint = language if rng.random() < 0.7 else ""
        text = comment_text(rng, language, topics) if rng.random() < 0.97 else ""
        proposed = rewording(rng, recommendation) if rng.random() < 0.06 or not text else ""
        comments.append((Comment(recommendation, text, hint, proposed), language))
    rng.shuffle(comments)
    return [comment for comment, _ in comments], [language for _, language in comments]


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--campaign", type=int, default=5_000)
    options = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    started = time.perf_counter()
    comments, written_in = generate(options.comments, options.campaign)
    print(
        f"generated {len(comments):,} comments in {time.perf_counter() - started:.2f} s "
        f"({sum(len(c.text) for c in comments) / len(comments):.0f} characters on average, "
        f"{sum(1 for c in comments if c.proposed_text):,} proposed rewordings); "
        f"peak memory {peak_memory_mb():,.0f} MB"
    )

    started = time.perf_counter()
    result = analyse_comments(comments)
    elapsed = time.perf_counter() - started
    print(
        f"analyse_comments on {len(comments):,} comments: {elapsed:.2f} s, "
        f"peak memory {peak_memory_mb():,.0f} MB"
    )
    languages = Counter()
    for figures in result.values():
        languages.update(figures["languages"])
    print(f"  languages: {dict(languages.most_common())}")
    for recommendation in (3, 7):
        figures = result[recommendation]
        sizes = [d["size"] for d in figures["duplicates"][:3]]
        english = figures["themes"].get("en", [])
        print(
            f"  recommendation {recommendation}: largest campaigns {sizes}; "
            f"{len(english)} English themes: "
            + "; ".join(f"{t.size} × {', '.join(t.terms)}" for t in english)
        )
    groups = result[0]["rewordings"]
    print(
        f"  recommendation 0: {len(groups)} groups of rewordings, sizes "
        f"{[len(g) for g in groups[:5]]}…"
    )

    texts = [c.text for c in comments]
    started = time.perf_counter()
    groups = near_duplicates(texts)
    elapsed = time.perf_counter() - started
    print(
        f"near_duplicates on all {len(texts):,} comments at once: {elapsed:.2f} s; "
        f"{len(groups):,} groups, largest {len(groups[0]):,}; "
        f"peak memory {peak_memory_mb():,.0f} MB"
    )

    started = time.perf_counter()
    detected = [detect_language(c.text, c.language) if c.text else "" for c in comments]
    elapsed = time.perf_counter() - started
    right = sum(d == w for d, w, c in zip(detected, written_in, comments, strict=True) if c.text)
    unhinted = [
        (d, w)
        for d, w, c in zip(detected, written_in, comments, strict=True)
        if c.text and not c.language
    ]
    print(
        f"detect_language on each of the {sum(1 for c in comments if c.text):,} comments: "
        f"{elapsed:.2f} s; right for {right / sum(1 for c in comments if c.text):.2%} "
        f"({sum(d == w for d, w in unhinted) / len(unhinted):.2%} of those without a hint)"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
