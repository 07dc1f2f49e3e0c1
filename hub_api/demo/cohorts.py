"""The demo cohorts: the trainings the source articles report, with their sessions and seat allocations.

From the articles: the two PVE courses held at the Kostanay centre in February 2020 and the third
batch, the four-day webinar for up to 20 officers from Pavlodar region on 18-21 May 2020 ("This
brings the total number of prison officers trained to 56 (11% women)"); the three-week webinar
for 29 media focal points from all 17 regions, 13-29 May 2020, in nine online sessions; and the
two-week online training-of-trainers NIKA led for the centre's instructors. The February dates,
the ToT's dates, every session time and topic, the capacities the articles do not give, and the
two regional cohorts under the June 2024 Bishkek MoU (one completed in February 2025, one open
for nominations for February 2027) are plausible inventions, marked as such below.

Times are local and stored in UTC: Kazakhstan's eastern regions (Kostanay, Pavlodar, the capital)
were on UTC+6 until 1 March 2024, when the whole country moved to UTC+5. Dates are fixed so the
data set is deterministic; read on 2026-11-21, the 2027 cohort is open with free seats.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone

from hub_api.models.enums import CohortKind, CohortStatus, DeliveryMode

KZ_BEFORE_2024 = timezone(timedelta(hours=6))
KZ_SINCE_2024 = timezone(timedelta(hours=5))

IN_PERSON = DeliveryMode.IN_PERSON
ONLINE = DeliveryMode.ONLINE
COMPLETED = CohortStatus.COMPLETED

# The national trainers: instructors of the Kostanay centre (participants of KTA-PVE, listed in
# hub_api.demo.participants), who teach the PVE courses; and NIKA's two facilitators.
NATIONAL_TRAINERS = tuple(("KTA-PVE", f"KTA-PVE-{n:03d}") for n in range(1, 13))
NIKA_TRAINERS = (("NIKA", "NIKA-001"), ("NIKA", "NIKA-002"))


def _utc(day: date, clock: str, offset: timezone) -> datetime:
    """The UTC moment of a local `HH:MM` on `day` at `offset`."""
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=offset).astimezone(UTC)


def _sessions(
    days: list[date],
    hours: tuple[str, str],
    offset: timezone,
    topics: list[str],
    mode: DeliveryMode,
    trainers: tuple[tuple[str, str], ...] = (),
) -> tuple[dict, ...]:
    """One session a day, `hours` local time; trainers take turns in pairs."""
    pairs = [trainers[i : i + 2] for i in range(0, len(trainers), 2)]
    return tuple(
        {
            "starts_at": _utc(day, hours[0], offset),
            "ends_at": _utc(day, hours[1], offset),
            "topic": topic,
            "mode": mode,
            "trainers": pairs[n % len(pairs)] if pairs else (),
        }
        for n, (day, topic) in enumerate(zip(days, topics, strict=True))
    )


def _weekdays(first: date, count: int) -> list[date]:
    """`count` working days (Monday to Friday) from `first` on."""
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


PVE_COURSE_TOPICS = [
    "Opening; the legislation of Kazakhstan on countering extremism and terrorism",
    "Radicalization to violence in prisons: drivers, stages and indicators",
    "Risk and needs assessment of violent extremist prisoners",
    "Dynamic security, classification and lawful information sharing",
    "Planning prison-based disengagement programmes; final test",
]
# Seed: the Pavlodar webinar "covered topics, ranging from the applicable legislative framework and
# risks assessment of violent extremist prisoners to the planning of prison-based disengagement
# programs".
PAVLODAR_TOPICS = [
    "The applicable legislative framework",
    "Risk assessment of violent extremist prisoners",
    "Identifying and preventing radicalization to violence in prisons",
    "Planning prison-based disengagement programmes",
]
# Seed: the media webinar "covered issues of crisis communications, development of high-quality
# information materials for the media and the role of social media" and "focused on the Nelson
# Mandela Rules".
MEDIA_TOPICS = [
    "The media and the prison system: openness and transparency",
    "Working with journalists: regular contact and requests for information",
    "Crisis communications: the first public statement",
    "Crisis communications during the COVID-19 pandemic",
    "Writing a press release journalists can use",
    "Stories and news about prison work without exposing prisoners or staff",
    "The role of social media",
    "Answering comments and misinformation",
    "The Nelson Mandela Rules as a reference for media work",
]
# Seed: the ToT covered "participant engagement, task assignment, group work through virtual break
# rooms, and evaluation method to assess training effectiveness" and "cloud-based programs to
# create and manage groups of trainees online"; two days per module of NIKA-ONLINE-TOT.
TOT_TOPICS = [
    f"{topic} ({part}/2)"
    for topic in (
        "Cloud-based tools to create and manage groups of trainees",
        "Participant engagement in webinars",
        "Task assignment and group work in virtual break rooms",
        "Evaluating the effectiveness of online training",
        "Practicum: an online session on countering extremist ideology",
    )
    for part in (1, 2)
]
# Invented: the regional courses deliver module 4 of the 2024 revision, with the joint case work
# of the three staff categories.
REGIONAL_TOPICS = [
    "The regional and international framework on returning foreign terrorist fighters",
    "Risk and needs assessment of high-risk prisoners",
    "Dynamic security and the management of terrorist prisoners",
    "Disengagement and reintegration programmes",
    "Joint case exercise for psychologists, PVE inspectors and security officers; final test",
]

PVE_COURSE_TITLE = {
    "en": "Preventing violent extremism in prisons: course for psychologists, PVE inspectors and "
    "security officers",
    "ru": "Предупреждение насильственного экстремизма в учреждениях УИС: курс для психологов, "
    "инспекторов по ПНЭ и сотрудников охраны",
    "kk": "Қылмыстық-атқару жүйесі мекемелерінде зорлықшыл экстремизмнің алдын алу: психологтарға, "
    "экстремизмнің алдын алу жөніндегі инспекторларға және күзет қызметкерлеріне арналған курс",
}
REGIONAL_TITLE = {
    "en": "Regional course: managing high-risk prisoners, including terrorist prisoners and returning "
    "foreign terrorist fighters",
    "ru": "Региональный курс: обращение с заключёнными высокого риска, включая осуждённых за "
    "терроризм и вернувшихся иностранных боевиков-террористов",
    "kk": "Өңірлік курс: жоғары қауіпті сотталғандармен, оның ішінде терроризм үшін сотталғандармен "
    "және оралған шетелдік террорист-содырлармен жұмыс",
}


def _titled(title: dict, en: str, ru: str, kk: str) -> dict:
    """`title` with a suffix in each language, such as the batch and month."""
    return {"en": f"{title['en']} ({en})", "ru": f"{title['ru']} ({ru})", "kk": f"{title['kk']} ({kk})"}


# Each entry: the Cohort fields by name, plus `curriculum` ((code, number) of a published demo
# curriculum), `host`, `programme` and `agreement` (demo codes and references, or None),
# `allocations` ({institution code: seats}) and `sessions` (dicts of CohortSession fields, with
# `trainers` as (institution code, external_ref) of demo participants). `seats_taken` is not given:
# the loader counts the seat-holding enrolments.
COHORTS: tuple[dict, ...] = (
    {
        # Seed: "two courses held in February 2020" at the Kostanay centre. Dates (two Monday-to-
        # Friday weeks) and capacities are invented.
        "code": "KTA-PVE-2020-01",
        "title": _titled(
            PVE_COURSE_TITLE,
            "February 2020, batch 1",
            "февраль 2020 г., 1-й поток",
            "2020 жылғы ақпан, 1-ағын",
        ),
        "kind": CohortKind.COURSE,
        "status": COMPLETED,
        "curriculum": ("KTA-PVE-MODULES", 1),
        "host": "KTA-PVE",
        "programme": "UN-GP-VEP",
        "agreement": None,
        "delivery_mode": IN_PERSON,
        "country": "KZ",
        "city": "Kostanay",
        "language": "ru",
        "starts_on": date(2020, 2, 3),
        "ends_on": date(2020, 2, 7),
        "capacity": 20,
        "allocations": {},
        "sessions": _sessions(
            _weekdays(date(2020, 2, 3), 5),
            ("09:00", "17:00"),
            KZ_BEFORE_2024,
            PVE_COURSE_TOPICS,
            IN_PERSON,
            NATIONAL_TRAINERS[:6],
        ),
    },
    {
        "code": "KTA-PVE-2020-02",
        "title": _titled(
            PVE_COURSE_TITLE,
            "February 2020, batch 2",
            "февраль 2020 г., 2-й поток",
            "2020 жылғы ақпан, 2-ағын",
        ),
        "kind": CohortKind.COURSE,
        "status": COMPLETED,
        "curriculum": ("KTA-PVE-MODULES", 1),
        "host": "KTA-PVE",
        "programme": "UN-GP-VEP",
        "agreement": None,
        "delivery_mode": IN_PERSON,
        "country": "KZ",
        "city": "Kostanay",
        "language": "ru",
        "starts_on": date(2020, 2, 17),
        "ends_on": date(2020, 2, 21),
        "capacity": 20,
        "allocations": {},
        "sessions": _sessions(
            _weekdays(date(2020, 2, 17), 5),
            ("09:00", "17:00"),
            KZ_BEFORE_2024,
            PVE_COURSE_TOPICS,
            IN_PERSON,
            NATIONAL_TRAINERS[6:12],
        ),
    },
    {
        # Seed: "a four-day webinar on the prevention of radicalization to violence in prisons of
        # Kazakhstan on 18-21 May 2020. Up to 20 prison officers from Pavlodar region took part";
        # taught by national trainers through the Kostanay centre; "the third batch going through
        # this training at the Centre this year". Session hours are invented.
        "code": "KTA-PVE-2020-03",
        "title": {
            "en": "Webinar on the prevention of radicalization to violence in prisons for prison officers "
            "of Pavlodar region (May 2020, batch 3)",
            "ru": "Вебинар по предупреждению радикализации к насилию в учреждениях УИС для сотрудников "
            "Павлодарской области (май 2020 г., 3-й поток)",
            "kk": "Павлодар облысының қызметкерлеріне арналған қылмыстық-атқару жүйесі мекемелеріндегі "
            "зорлық-зомбылыққа бейім радикалданудың алдын алу жөніндегі вебинар (2020 жылғы мамыр, 3-ағын)",
        },
        "kind": CohortKind.WEBINAR,
        "status": COMPLETED,
        "curriculum": ("KTA-PVE-MODULES", 1),
        "host": "KTA-PVE",
        "programme": "UN-GP-VEP",
        "agreement": None,
        "delivery_mode": ONLINE,
        "country": "KZ",
        "city": "Kostanay",
        "language": "ru",
        "starts_on": date(2020, 5, 18),
        "ends_on": date(2020, 5, 21),
        "capacity": 20,
        "allocations": {},
        "sessions": _sessions(
            _weekdays(date(2020, 5, 18), 4),
            ("10:00", "13:00"),
            KZ_BEFORE_2024,
            PAVLODAR_TOPICS,
            ONLINE,
            NATIONAL_TRAINERS[:4],
        ),
    },
    {
        # Seed: UNODC and the Prison Committee organised "a three-week online training (webinar). Held
        # on 13-29 May 2020, the webinars gathered 29 prison officers - media focal points from
        # prison departments of all 17 regions"; "nine online sessions" by professional media
        # trainers (who are not hub participants, so the sessions list no trainers). The Committee
        # hosts it; the capacity and the session days and hours are invented.
        "code": "PSC-MEDIA-2020-01",
        "title": {
            "en": "Webinar: Effective communications: the basics of work with the media (May 2020)",
            "ru": "Вебинар «Эффективные коммуникации: основы работы со СМИ» (май 2020 г.)",
            "kk": "«Тиімді коммуникациялар: БАҚ-пен жұмыс негіздері» вебинары (2020 жылғы мамыр)",
        },
        "kind": CohortKind.WEBINAR,
        "status": COMPLETED,
        "curriculum": ("UNODC-MEDIA-COMMS", 1),
        "host": "KZ-PSC",
        "programme": "UN-GP-VEP",
        "agreement": None,
        "delivery_mode": ONLINE,
        "country": "KZ",
        "city": None,
        "language": "ru",
        "starts_on": date(2020, 5, 13),
        "ends_on": date(2020, 5, 29),
        "capacity": 30,
        "allocations": {},
        "sessions": _sessions(
            [date(2020, 5, d) for d in (13, 15, 18, 20, 22, 25, 27, 28, 29)],
            ("15:00", "17:00"),
            KZ_BEFORE_2024,
            MEDIA_TOPICS,
            ONLINE,
        ),
    },
    {
        # Seed: "online-training-of-trainers for the instructors and lecturers of the Academy's
        # Prison Staff Training Centre"; "NIKA led the two-week long capacity development
        # training". Dates (after NIKA-ONLINE-TOT's invented publication date), hours and the
        # number of instructors are invented.
        "code": "KTA-PVE-TOT-2020-01",
        "title": {
            "en": "Online training of trainers: effective online training on countering extremist ideology "
            "(June 2020)",
            "ru": "Онлайн-тренинг для тренеров: эффективное онлайн-обучение по противодействию "
            "экстремистской идеологии (июнь 2020 г.)",
            "kk": "Тренерлерге арналған онлайн-тренинг: экстремистік идеологияға қарсы тиімді онлайн-оқыту "
            "(2020 жылғы маусым)",
        },
        "kind": CohortKind.TOT,
        "status": COMPLETED,
        "curriculum": ("NIKA-ONLINE-TOT", 1),
        "host": "KTA-PVE",
        "programme": "UN-GP-VEP",
        "agreement": None,
        "delivery_mode": ONLINE,
        "country": "KZ",
        "city": "Kostanay",
        "language": "ru",
        "starts_on": date(2020, 6, 8),
        "ends_on": date(2020, 6, 19),
        "capacity": 15,
        "allocations": {},
        "sessions": _sessions(
            _weekdays(date(2020, 6, 8), 10),
            ("10:00", "13:00"),
            KZ_BEFORE_2024,
            TOT_TOPICS,
            ONLINE,
            NIKA_TRAINERS,
        ),
    },
    {
        # Invented: the first regional course of the Kostanay hub under the June 2024 Bishkek MoU
        # (seed), for the 2024-2025 training year, with seats for the Kyrgyz partners.
        "code": "KTA-HUB-2025-01",
        "title": _titled(REGIONAL_TITLE, "February 2025", "февраль 2025 г.", "2025 жылғы ақпан"),
        "kind": CohortKind.COURSE,
        "status": COMPLETED,
        "curriculum": ("KTA-PVE-MODULES", 2),
        "host": "KTA",
        "programme": "RFTF-DET-II",
        "agreement": "MOU/2024/KTA-KGMIA-KNU",
        "delivery_mode": IN_PERSON,
        "country": "KZ",
        "city": "Kostanay",
        "language": "ru",
        "starts_on": date(2025, 2, 10),
        "ends_on": date(2025, 2, 14),
        "capacity": 20,
        "allocations": {"KG-MIA-ACAD": 8, "KG-SCS": 6, "KZ-PSC": 6},
        "sessions": _sessions(
            _weekdays(date(2025, 2, 10), 5),
            ("09:00", "17:00"),
            KZ_SINCE_2024,
            REGIONAL_TOPICS,
            IN_PERSON,
            NATIONAL_TRAINERS[2:8],
        ),
    },
    {
        # Invented: the next regional course, open for nominations; its sessions are scheduled and
        # have no attendance yet. The Academy keeps four seats for its own lecturers (the MoU
        # commits to retraining academic staff), so the demo coordinator can enrol someone.
        "code": "KTA-HUB-2027-01",
        "title": _titled(REGIONAL_TITLE, "February 2027", "февраль 2027 г.", "2027 жылғы ақпан"),
        "kind": CohortKind.COURSE,
        "status": CohortStatus.OPEN,
        "curriculum": ("KTA-PVE-MODULES", 2),
        "host": "KTA",
        "programme": "RFTF-DET-II",
        "agreement": "MOU/2024/KTA-KGMIA-KNU",
        "delivery_mode": IN_PERSON,
        "country": "KZ",
        "city": "Kostanay",
        "language": "ru",
        "starts_on": date(2027, 2, 8),
        "ends_on": date(2027, 2, 12),
        "capacity": 24,
        "allocations": {"KG-MIA-ACAD": 8, "KG-SCS": 6, "KZ-PSC": 6, "KTA": 4},
        "sessions": _sessions(
            _weekdays(date(2027, 2, 8), 5),
            ("09:00", "17:00"),
            KZ_SINCE_2024,
            REGIONAL_TOPICS,
            IN_PERSON,
            NATIONAL_TRAINERS[6:12],
        ),
    },
)
