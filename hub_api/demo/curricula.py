"""The demo curricula and their adoptions: the course designs the source articles describe.

From the articles: the UNODC e-learning course on the Nelson Mandela Rules ("more than 500 prison
officers have taken" it); the three training modules for psychologists, PVE inspectors and
security officers, "derived from UNODC's Handbook on the Management of Violent Extremist
Prisoners ... adapted to fit the training curriculum for prison officers in the Kostanay Police
Academy"; the two-week online training-of-trainers led by NIKA for the instructors of the
Academy's centre; and the nine online sessions of "Effective communications: the basics of work
with the media". The articles give no module breakdowns, hours, version dates or adoption dates:
those, the 2024 revision of the Kostanay modules, the Bangkok and Tokyo Rules draft and every
adoption except the Prison Committee's roll-out of the e-learning course are plausible
inventions, marked as such below.

Modelling choice: the three PVE modules are ONE curriculum with three modules, one per staff
category, as the article counts them ("three training modules targeting three different
categories of prison staff"). A cohort delivers a curriculum "or some of its modules", so a
course for psychologists alone runs module 1; and the lineage stays a single link, from the
Kostanay adaptation to the UNODC source.

Versions: the Kostanay adaptation has two published versions (2020 and its 2024 revision), so
`latest=true` lists only the second; the Bangkok and Tokyo Rules course is a draft.

Dates are fixed so the data set is deterministic.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from hub_api.models.enums import CurriculumStatus, DeliveryMode, StaffCategory, Standard

DRAFT = CurriculumStatus.DRAFT
PUBLISHED = CurriculumStatus.PUBLISHED

PSYCHOLOGIST = StaffCategory.PSYCHOLOGIST.value
PVE_INSPECTOR = StaffCategory.PVE_INSPECTOR.value
SECURITY_OFFICER = StaffCategory.SECURITY_OFFICER.value
PVE_AUDIENCES = [PSYCHOLOGIST, PVE_INSPECTOR, SECURITY_OFFICER]


def _at(year: int, month: int, day: int) -> datetime:
    """A fixed publication moment: 09:00 UTC on that day."""
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def _module(en: str, ru: str, hours: str, *outcomes: str) -> dict:
    """A module entry; its position is its place in the curriculum's `modules`."""
    return {"title": {"en": en, "ru": ru}, "hours": Decimal(hours), "learning_outcomes": list(outcomes)}


# --- the UNODC source of the PVE modules ------------------------------------------------------
# Module titles and outcomes follow the Handbook's themes; hours are invented.
UNODC_VEP_MODULES = (
    _module(
        "Prison psychologists: risk assessment and disengagement of violent extremist prisoners",
        "Психологи: оценка рисков и программы отказа от насилия для заключённых — насильственных "
        "экстремистов",
        "16.0",
        "Explain the drivers and stages of radicalization to violence in prisons.",
        "Apply structured risk and needs assessment to violent extremist prisoners.",
        "Design individual interventions within prison-based disengagement programmes.",
    ),
    _module(
        "PVE inspectors: classification, monitoring and information management",
        "Инспекторы по ПНЭ: классификация, наблюдение и работа с информацией",
        "16.0",
        "Apply the principles of classification and allocation of violent extremist prisoners.",
        "Recognise and record indicators of radicalization to violence.",
        "Collect and share information lawfully and with respect for human rights.",
    ),
    _module(
        "Security officers: dynamic security and safe custody",
        "Сотрудники охраны: динамическая безопасность и надёжная изоляция",
        "16.0",
        "Combine physical, procedural and dynamic security in daily work.",
        "Respond to incidents proportionately and within the Nelson Mandela Rules.",
        "Keep professional relationships with prisoners while resisting manipulation.",
    ),
)

# --- the Kostanay adaptation ------------------------------------------------------------------
# Seed: the May 2020 webinar built on these modules "covered topics, ranging from the applicable
# legislative framework and risks assessment of violent extremist prisoners to the planning of
# prison-based disengagement programs". Hours (three days each) are invented.
KTA_PVE_MODULES_V1 = (
    _module(
        "Module 1 for psychologists: risk assessment and disengagement programmes",
        "Модуль 1 для психологов: оценка рисков и программы отказа от насилия",
        "24.0",
        "Apply the legislation of Kazakhstan on countering extremism and terrorism to work with prisoners.",
        "Assess the risks and needs of violent extremist prisoners with structured tools.",
        "Plan, run and evaluate prison-based disengagement programmes.",
    ),
    _module(
        "Module 2 for PVE inspectors: identifying and preventing radicalization to violence",
        "Модуль 2 для инспекторов по ПНЭ: выявление и предупреждение радикализации к насилию",
        "24.0",
        "Apply the legislation of Kazakhstan on countering extremism and terrorism to work with prisoners.",
        "Identify and document indicators of radicalization to violence.",
        "Take part in the classification and placement of violent extremist prisoners.",
        "Share information with the security and psychological services lawfully.",
    ),
    _module(
        "Module 3 for security officers: dynamic security and the management of violent extremist prisoners",
        "Модуль 3 для сотрудников охраны: динамическая безопасность и обращение с заключёнными — "
        "насильственными экстремистами",
        "24.0",
        "Apply dynamic security in daily contact with prisoners.",
        "Use force and means of restraint only as the law and the Nelson Mandela Rules allow.",
        "Recognise and report attempts at manipulation and recruitment.",
    ),
)
# Invented 2024 revision for the Regional Hub: the three modules gain a fourth, common one on
# high-risk prisoners (the June 2024 article: Kostanay "is regionally recognized for its
# expertise in providing specialized training on the management of high-risk prisoners,
# including violent extremists and terrorist prisoners").
KTA_PVE_MODULES_V2 = (
    *KTA_PVE_MODULES_V1,
    _module(
        "Module 4 for all three categories: managing high-risk prisoners, including terrorist "
        "prisoners and returning foreign terrorist fighters",
        "Модуль 4 для всех трёх категорий: обращение с заключёнными высокого риска, включая "
        "осуждённых за терроризм и вернувшихся иностранных боевиков-террористов",
        "16.0",
        "Apply the regional and international framework on returning foreign terrorist fighters.",
        "Plan the joint work of psychologists, PVE inspectors and security officers on one case.",
        "Uphold human rights standards while managing high-risk situations.",
    ),
)

# Each entry: the Curriculum fields by name (`number` is the version number), plus `owner` (an
# institution code), `derived_from` ((code, number) of a curriculum listed earlier, or absent)
# and `modules` (positions 1, 2, ... in order). Omitted optional fields are cleared on refresh.
CURRICULA: tuple[dict, ...] = (
    {
        # Seed (the Mandela Rules article): the three modules "are derived from UNODC's Handbook on
        # the Management of Violent Extremist Prisoners and the Prevention of Radicalization to
        # Violence in Prisons". Code, modules and publication date are invented.
        "code": "UNODC-VEP",
        "number": 1,
        "title": {
            "en": "Handbook on the Management of Violent Extremist Prisoners and the Prevention of "
            "Radicalization to Violence in Prisons: training modules for prison staff",
            "ru": "Руководство по обращению с заключёнными — насильственными экстремистами и "
            "предупреждению радикализации к насилию в тюрьмах: учебные модули для сотрудников "
            "пенитенциарных учреждений",
        },
        "summary": {
            "en": "Three modules, one for each category of prison staff (psychologists, PVE "
            "inspectors, security officers), based on the UNODC Handbook on the Management of "
            "Violent Extremist Prisoners and the Prevention of Radicalization to Violence in Prisons.",
            "ru": "Три модуля, по одному для каждой категории персонала (психологи, инспекторы по "
            "ПНЭ, сотрудники охраны), на основе Руководства УНП ООН по обращению с заключёнными — "
            "насильственными экстремистами и предупреждению радикализации к насилию в тюрьмах.",
        },
        "owner": "UNODC",
        "status": PUBLISHED,
        "languages": ["en", "ru"],
        "delivery_modes": [DeliveryMode.IN_PERSON.value],
        "audiences": PVE_AUDIENCES,
        "standards": [Standard.UNODC_VEP_HANDBOOK.value, Standard.NELSON_MANDELA_RULES.value],
        "published_at": _at(2019, 9, 16),
        "modules": UNODC_VEP_MODULES,
    },
    {
        # Seed: the modules "were adapted to fit the training curriculum for prison officers in the
        # Kostanay Police Academy" and are taught through its Prison Staff Training Centre on
        # Preventing Violent Extremism; two courses ran in February 2020. Published (invented
        # date) just before them.
        "code": "KTA-PVE-MODULES",
        "number": 1,
        "title": {
            "en": "Preventing violent extremism in prisons: training modules for psychologists, PVE "
            "inspectors and security officers",
            "ru": "Предупреждение насильственного экстремизма в учреждениях уголовно-исполнительной "
            "системы: учебные модули для психологов, инспекторов по ПНЭ и сотрудников охраны",
        },
        "summary": {
            "en": "The Kostanay adaptation of the UNODC modules to the legislation and practice of "
            "Kazakhstan, taught by national trainers at the Prison Staff Training Centre on "
            "Preventing Violent Extremism, in person and online.",
            "ru": "Адаптация модулей УНП ООН к законодательству и практике Казахстана; проводится "
            "национальными тренерами Центра подготовки сотрудников пенитенциарной системы по "
            "предупреждению насильственного экстремизма очно и онлайн.",
        },
        "owner": "KTA-PVE",
        "status": PUBLISHED,
        "languages": ["ru"],
        "delivery_modes": [DeliveryMode.IN_PERSON.value, DeliveryMode.ONLINE.value],
        "audiences": PVE_AUDIENCES,
        "standards": [Standard.UNODC_VEP_HANDBOOK.value, Standard.NELSON_MANDELA_RULES.value],
        "derived_from": ("UNODC-VEP", 1),
        "published_at": _at(2020, 1, 20),
        "modules": KTA_PVE_MODULES_V1,
    },
    {
        # Invented: the 2024 revision for the Regional Hub (see KTA_PVE_MODULES_V2). Version 1 stays
        # published: the Tajik partner adopted it under the 2021 MoU.
        "code": "KTA-PVE-MODULES",
        "number": 2,
        "title": {
            "en": "Preventing violent extremism in prisons: training modules for psychologists, PVE "
            "inspectors and security officers",
            "ru": "Предупреждение насильственного экстремизма в учреждениях уголовно-исполнительной "
            "системы: учебные модули для психологов, инспекторов по ПНЭ и сотрудников охраны",
        },
        "summary": {
            "en": "The 2024 revision for the Regional Hub: the three modules, plus a common module "
            "on managing high-risk prisoners, for officers from across Central Asia.",
            "ru": "Редакция 2024 года для Регионального хаба: три модуля и общий модуль об "
            "обращении с заключёнными высокого риска для сотрудников из стран Центральной Азии.",
        },
        "owner": "KTA-PVE",
        "status": PUBLISHED,
        "languages": ["ru"],
        "delivery_modes": [DeliveryMode.IN_PERSON.value, DeliveryMode.ONLINE.value],
        "audiences": PVE_AUDIENCES,
        "standards": [Standard.UNODC_VEP_HANDBOOK.value, Standard.NELSON_MANDELA_RULES.value],
        "derived_from": ("UNODC-VEP", 1),
        "published_at": _at(2024, 9, 2),
        "modules": KTA_PVE_MODULES_V2,
    },
    {
        # Seed: "UNODC's Interactive E-Learning Course on the Nelson Mandela Rules", rolled out by
        # the Prison Committee; "more than 500 prison officers have taken" it. Module structure,
        # hours and publication date are invented.
        "code": "UNODC-NMR-ELEARN",
        "number": 1,
        "title": {
            "en": "The UN Standard Minimum Rules for the Treatment of Prisoners (the Nelson Mandela "
            "Rules): interactive e-learning course",
            "ru": "Минимальные стандартные правила Организации Объединённых Наций в отношении "
            "обращения с заключёнными (Правила Нельсона Манделы): интерактивный электронный курс",
        },
        "summary": {
            "en": "Self-paced course helping prison staff understand and apply the Nelson Mandela "
            "Rules as the universally acknowledged minimum standards for the management of prisons "
            "and the treatment of prisoners.",
            "ru": "Курс для самостоятельного изучения, помогающий сотрудникам пенитенциарной "
            "системы понимать и применять Правила Нельсона Манделы как общепризнанные минимальные "
            "стандарты управления тюрьмами и обращения с заключёнными.",
        },
        "owner": "UNODC",
        "status": PUBLISHED,
        "languages": ["en", "ru"],
        "delivery_modes": [DeliveryMode.E_LEARNING.value],
        "audiences": [SECURITY_OFFICER, StaffCategory.MANAGER.value, StaffCategory.OTHER.value],
        "standards": [Standard.NELSON_MANDELA_RULES.value],
        "published_at": _at(2019, 3, 1),
        "modules": (
            _module(
                "Introduction: the origins, scope and 2015 revision of the Rules",
                "Введение: история, сфера применения и пересмотр Правил в 2015 году",
                "1.5",
                "Describe why the Standard Minimum Rules were revised and renamed in 2015.",
                "Explain the legal status of the Rules and whom they apply to.",
            ),
            _module(
                "Basic principles, admission and prisoner file management",
                "Основные принципы, приём и ведение личных дел заключённых",
                "2.0",
                "Apply the principles of respect for dignity and non-discrimination.",
                "Keep complete and confidential prisoner files from admission onwards.",
            ),
            _module(
                "Safety, security and order: restrictions, discipline, sanctions and searches",
                "Безопасность и порядок: ограничения, дисциплина, взыскания и досмотры",
                "2.0",
                "Distinguish permitted disciplinary sanctions from prohibited ones.",
                "Carry out searches that respect the prisoner's privacy and dignity.",
                "Apply the limits the Rules set on solitary confinement.",
            ),
            _module(
                "Health care services in prisons",
                "Медицинское обслуживание в тюрьмах",
                "1.5",
                "Explain the principle of equivalence of health care.",
                "Respect clinical independence and medical confidentiality in daily work.",
            ),
            _module(
                "Complaints, independent inspection and contact with the outside world",
                "Жалобы, независимые инспекции и связь с внешним миром",
                "1.5",
                "Handle prisoners' requests and complaints safely and confidentially.",
                "Support internal and external inspections of the prison.",
            ),
            _module(
                "Prison staff: selection, training and professional conduct",
                "Персонал тюрем: отбор, подготовка и профессиональное поведение",
                "1.5",
                "Describe the standards of conduct the Rules expect of prison staff.",
                "Identify their own training needs against the Rules.",
            ),
        ),
    },
    {
        # Seed: an online training-of-trainers for the instructors and lecturers of the Academy's
        # Prison Staff Training Centre on Countering Extremist Ideology; "The Centre for
        # Communicative Development (NIKA) led the two-week long capacity development training",
        # covering participant engagement, task assignment, group work through virtual break
        # rooms, evaluation of training effectiveness and cloud-based programs to manage groups of
        # trainees. Two weeks of ten three-hour days (30 hours) and the publication date (during
        # the 2020 pandemic) are invented. It teaches training methods, so it lists no standard.
        "code": "NIKA-ONLINE-TOT",
        "number": 1,
        "title": {
            "en": "Training of trainers: effective online training on countering extremist ideology",
            "ru": "Тренинг для тренеров: эффективное онлайн-обучение по противодействию "
            "экстремистской идеологии",
        },
        "summary": {
            "en": "Two-week online course for instructors and lecturers of the Prison Staff Training "
            "Centre on moving training from the classroom to webinars.",
            "ru": "Двухнедельный онлайн-курс для преподавателей и лекторов Центра подготовки "
            "сотрудников пенитенциарной системы о переводе обучения из аудитории в формат вебинаров.",
        },
        "owner": "NIKA",
        "status": PUBLISHED,
        "languages": ["ru"],
        "delivery_modes": [DeliveryMode.ONLINE.value],
        "audiences": [StaffCategory.INSTRUCTOR.value],
        "standards": [],
        "published_at": _at(2020, 6, 1),
        "modules": (
            _module(
                "Cloud-based tools to create and manage groups of trainees online",
                "Облачные программы для создания групп слушателей и управления ими онлайн",
                "6.0",
                "Set up an online course space and enrol a group of trainees.",
                "Choose a platform that suits the session and the trainees' connections.",
            ),
            _module(
                "Participant engagement in webinars",
                "Вовлечение участников в вебинары",
                "6.0",
                "Open and pace a webinar so that participants stay active.",
                "Use polls, chat and questions to check understanding.",
            ),
            _module(
                "Task assignment and group work in virtual break rooms",
                "Постановка заданий и групповая работа в виртуальных комнатах",
                "6.0",
                "Give tasks that can be done and checked online.",
                "Run and debrief group work in virtual break rooms.",
            ),
            _module(
                "Evaluating the effectiveness of online training",
                "Оценка эффективности онлайн-обучения",
                "6.0",
                "Design pre- and post-tests and satisfaction surveys for online sessions.",
                "Interpret the results and adjust the course.",
            ),
            _module(
                "Practicum: an online session on countering extremist ideology",
                "Практикум: онлайн-занятие по противодействию экстремистской идеологии",
                "6.0",
                "Deliver a full online session to peers.",
                "Give and take structured feedback on delivery.",
                "Adapt existing classroom materials for online delivery.",
            ),
        ),
    },
    {
        # Seed: "nine online sessions of the webinar on 'Effective communications: the basics of work
        # with the media'", 13-29 May 2020, for 29 media focal points from all 17 regions; it
        # "covered issues of crisis communications, development of high-quality information
        # materials for the media and the role of social media" and "focused on the Nelson Mandela
        # Rules". The grouping of the nine two-hour sessions into modules and the publication date
        # are invented.
        "code": "UNODC-MEDIA-COMMS",
        "number": 1,
        "title": {
            "en": "Effective communications: the basics of work with the media",
            "ru": "Эффективные коммуникации: основы работы со СМИ",
        },
        "summary": {
            "en": "Nine two-hour online sessions over three weeks for the media focal points of "
            "prison departments: openness and transparency in the work of the prison system.",
            "ru": "Девять двухчасовых онлайн-занятий в течение трёх недель для ответственных за "
            "работу со СМИ в департаментах УИС: открытость и прозрачность работы пенитенциарной "
            "системы.",
        },
        "owner": "UNODC",
        "status": PUBLISHED,
        "languages": ["ru"],
        "delivery_modes": [DeliveryMode.ONLINE.value],
        "audiences": [StaffCategory.MEDIA_OFFICER.value],
        "standards": [Standard.NELSON_MANDELA_RULES.value],
        "published_at": _at(2020, 5, 11),
        "modules": (
            _module(
                "The media and the prison system (sessions 1-2)",
                "СМИ и пенитенциарная система (занятия 1-2)",
                "4.0",
                "Explain the media's role as a channel between the prison system and the public.",
                "Plan regular, transparent contact with journalists.",
            ),
            _module(
                "Crisis communications (sessions 3-4)",
                "Кризисные коммуникации (занятия 3-4)",
                "4.0",
                "Prepare the first public statement on an incident.",
                "Keep communication consistent while a crisis lasts.",
            ),
            _module(
                "High-quality information materials: press releases and stories (sessions 5-6)",
                "Качественные информационные материалы: пресс-релизы и истории (занятия 5-6)",
                "4.0",
                "Write a press release that journalists can use as it stands.",
                "Tell a story about prison work without exposing prisoners or staff.",
            ),
            _module(
                "The role of social media (sessions 7-8)",
                "Роль социальных сетей (занятия 7-8)",
                "4.0",
                "Choose social media channels for a prison department's audiences.",
                "Answer comments and misinformation professionally.",
            ),
            _module(
                "The Nelson Mandela Rules as a reference for media work (session 9)",
                "Правила Нельсона Манделы как ориентир в работе со СМИ (занятие 9)",
                "2.0",
                "Use the Rules as a reference when preparing press releases and stories.",
                "Share news about prisoners in line with their dignity and privacy.",
            ),
        ),
    },
    {
        # Invented draft. The June 2024 article: the Centre of Regional Excellence in Kostanay "will
        # help to promote international UN standards in dealing with prisoners, including the
        # Nelson Mandela Rules, the Bangkok Rules, and the Tokyo Rules".
        "code": "KTA-BANGKOK-TOKYO",
        "number": 1,
        "title": {
            "en": "Women in detention and non-custodial measures: the Bangkok and Tokyo Rules for prison "
            "and probation staff",
            "ru": "Женщины в местах лишения свободы и меры, не связанные с лишением свободы: "
            "Бангкокские и Токийские правила для сотрудников пенитенциарной системы и службы "
            "пробации",
        },
        "summary": {
            "en": "Draft regional course of the Centre of Regional Excellence.",
            "ru": "Проект регионального курса Центра регионального превосходства.",
        },
        "owner": "KTA",
        "status": DRAFT,
        "languages": ["ru", "en"],
        "delivery_modes": [DeliveryMode.BLENDED.value],
        "audiences": [
            StaffCategory.PROBATION_OFFICER.value,
            SECURITY_OFFICER,
            StaffCategory.MANAGER.value,
        ],
        "standards": [
            Standard.BANGKOK_RULES.value,
            Standard.TOKYO_RULES.value,
            Standard.NELSON_MANDELA_RULES.value,
        ],
        "modules": (
            _module(
                "The Bangkok Rules: the gender-specific needs of women prisoners",
                "Бангкокские правила: особые потребности женщин-заключённых",
                "8.0",
                "Identify the gender-specific needs of women on admission and in custody.",
                "Apply the Rules on searches, health care and contact with children.",
            ),
            _module(
                "The Tokyo Rules: non-custodial measures and probation supervision",
                "Токийские правила: меры, не связанные с лишением свободы, и пробационный надзор",
                "8.0",
                "Explain the range of non-custodial measures and the safeguards they need.",
                "Plan supervision that supports social reintegration.",
            ),
            _module(
                "Regional practice: cases from Central Asian prison and probation services",
                "Региональная практика: примеры пенитенциарных служб и служб пробации Центральной Азии",
                "4.0",
                "Compare national practice with the Bangkok and Tokyo Rules.",
                "Propose one improvement for their own service.",
            ),
        ),
    },
)

# Each entry: `curriculum` ((code, number)), `institution` (code), `agreement` (a demo agreement
# reference, to which the institution must be a party, or None), and the CurriculumAdoption
# fields by name. Omitted optional fields are cleared on refresh.
ADOPTIONS: tuple[dict, ...] = (
    {
        # Seed: the Prison Committee rolled the course out and "more than 500 prison officers have
        # taken" it (2020). No agreement is named; the adoption date is invented.
        "curriculum": ("UNODC-NMR-ELEARN", 1),
        "institution": "KZ-PSC",
        "agreement": None,
        "adopted_on": date(2019, 10, 1),
        "language": "ru",
        "notes": "Rolled out to prison staff across Kazakhstan; more than 500 prison officers had "
        "taken the course by mid-2020.",
    },
    {
        # Invented: the 2021 Tajik MoU's notes name the sharing of the three PVE modules.
        "curriculum": ("KTA-PVE-MODULES", 1),
        "institution": "TJ-GUIUN-TC",
        "agreement": "MOU/2021/KTA-TJ-GUIUN",
        "adopted_on": date(2022, 2, 14),
        "language": "ru",
        "local_title": "Предупреждение насильственного экстремизма в учреждениях исполнения "
        "уголовных наказаний",
    },
    {
        # Invented, under the June 2024 Bishkek MoU (seed), which commits to joint educational
        # initiatives on preventing radicalization to violence in prisons.
        "curriculum": ("KTA-PVE-MODULES", 2),
        "institution": "KG-MIA-ACAD",
        "agreement": "MOU/2024/KTA-KGMIA-KNU",
        "adopted_on": date(2024, 10, 7),
        "language": "ru",
        "local_title": "Предупреждение насильственного экстремизма в пенитенциарной системе "
        "Кыргызской Республики: модули для психологов, инспекторов по ПНЭ и сотрудников охраны",
        "notes": "Part of the Academy's in-service retraining of penitentiary officers; Kyrgyz "
        "legislation replaces the Kazakh legal framework in modules 1-3.",
    },
    {
        # Invented, under the same MoU.
        "curriculum": ("UNODC-NMR-ELEARN", 1),
        "institution": "KNU",
        "agreement": "MOU/2024/KTA-KGMIA-KNU",
        "adopted_on": date(2024, 9, 16),
        "language": "ru",
        "local_title": "Правила Нельсона Манделы: электронный курс для студентов юридического факультета",
        "notes": "Elective for law students specialising in penal law.",
    },
)
