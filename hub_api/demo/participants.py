"""The demo participants and their enrolments: synthetic officers, generated deterministically.

Every person here is INVENTED. The articles name real officials, and officers' identities are
sensitive, so names are drawn at random from fixed lists of common Kazakh, Kyrgyz and Russian
given and family names; none of the people the articles name can appear. A random generator
seeded per roster makes every run, in every process, yield the same people and outcomes.

Kazakh institutions keep their officers' names in Cyrillic; the Kyrgyz partners' rosters come in
Latin transliteration. Regions are Kazakhstan's 17 of 2020 (14 regions and three cities of
republican significance, the capital under its present name) and Kyrgyzstan's regions.

The seeds' numbers: the three 2020 PVE batches (two February courses and the Pavlodar webinar)
trained 56 officers, 6 of them women (11%); the media webinar gathered 29 media focal points
from all 17 regions. Every other count, every outcome, score and attendance record is invented.
"""

import random
from datetime import datetime, timedelta

from hub_api.demo.cohorts import COHORTS
from hub_api.demo.institutions import INSTITUTIONS
from hub_api.models.enrolment import CONFIRMED
from hub_api.models.enums import CohortStatus, EnrolmentStatus, Gender, StaffCategory

COMPLETED = EnrolmentStatus.COMPLETED
FAILED = EnrolmentStatus.FAILED
NO_SHOW = EnrolmentStatus.NO_SHOW
WITHDRAWN = EnrolmentStatus.WITHDRAWN
NOMINATED = EnrolmentStatus.NOMINATED
ENROLLED = EnrolmentStatus.ENROLLED

KZ_REGIONS = (
    "Akmola Region",
    "Aktobe Region",
    "Almaty Region",
    "Atyrau Region",
    "East Kazakhstan Region",
    "Jambyl Region",
    "Karaganda Region",
    "Kostanay Region",
    "Kyzylorda Region",
    "Mangystau Region",
    "North Kazakhstan Region",
    "Pavlodar Region",
    "Turkistan Region",
    "West Kazakhstan Region",
    "Astana",
    "Almaty",
    "Shymkent",
)
KG_REGIONS = (
    "Bishkek",
    "Chüy Region",
    "Issyk-Kul Region",
    "Jalal-Abad Region",
    "Naryn Region",
    "Osh Region",
    "Talas Region",
)

# (Cyrillic, Latin) pairs. Family names are in the masculine form; see _family_name.
KAZAKH_MEN = (
    ("Айбек", "Aibek"),
    ("Ерлан", "Yerlan"),
    ("Нурлан", "Nurlan"),
    ("Асхат", "Askhat"),
    ("Даурен", "Dauren"),
    ("Бауыржан", "Bauyrzhan"),
    ("Канат", "Kanat"),
    ("Мейрам", "Meiram"),
    ("Серик", "Serik"),
    ("Талгат", "Talgat"),
    ("Арман", "Arman"),
    ("Дархан", "Darkhan"),
    ("Жандос", "Zhandos"),
    ("Марат", "Marat"),
    ("Аскар", "Askar"),
    ("Бекзат", "Bekzat"),
    ("Ильяс", "Ilyas"),
    ("Нуржан", "Nurzhan"),
)
KAZAKH_WOMEN = (
    ("Айгуль", "Aigul"),
    ("Жанар", "Zhanar"),
    ("Гульмира", "Gulmira"),
    ("Асель", "Assel"),
    ("Мадина", "Madina"),
    ("Алия", "Aliya"),
    ("Назгуль", "Nazgul"),
    ("Камила", "Kamila"),
    ("Ботагоз", "Botagoz"),
    ("Айнур", "Ainur"),
    ("Жулдыз", "Zhuldyz"),
    ("Гаухар", "Gaukhar"),
)
KAZAKH_FAMILIES = (
    ("Бекетов", "Beketov"),
    ("Жунусов", "Zhunusov"),
    ("Искаков", "Iskakov"),
    ("Кенжебаев", "Kenzhebayev"),
    ("Оспанов", "Ospanov"),
    ("Сарсенбаев", "Sarsenbayev"),
    ("Тулеубаев", "Tuleubayev"),
    ("Утегенов", "Utegenov"),
    ("Шаймарданов", "Shaimardanov"),
    ("Байжанов", "Baizhanov"),
    ("Есенгалиев", "Yesengaliyev"),
    ("Калиакпаров", "Kaliakparov"),
    ("Нуртазин", "Nurtazin"),
    ("Габдуллин", "Gabdullin"),
    ("Ермеков", "Yermekov"),
    ("Жакупов", "Zhakupov"),
    ("Кусаинов", "Kussainov"),
    ("Серикбаев", "Serikbayev"),
)
KYRGYZ_MEN = (
    ("Азамат", "Azamat"),
    ("Бакыт", "Bakyt"),
    ("Нурбек", "Nurbek"),
    ("Улан", "Ulan"),
    ("Эрлан", "Erlan"),
    ("Канатбек", "Kanatbek"),
    ("Жыргалбек", "Zhyrgalbek"),
    ("Чынгыз", "Chyngyz"),
    ("Мирлан", "Mirlan"),
    ("Тилек", "Tilek"),
    ("Алмаз", "Almaz"),
)
KYRGYZ_WOMEN = (
    ("Айжан", "Aizhan"),
    ("Гулзат", "Gulzat"),
    ("Жибек", "Zhibek"),
    ("Мээрим", "Meerim"),
    ("Бурул", "Burul"),
    ("Нуриза", "Nuriza"),
    ("Айпери", "Aiperi"),
)
KYRGYZ_FAMILIES = (
    ("Абдыкеримов", "Abdykerimov"),
    ("Бакиров", "Bakirov"),
    ("Касымалиев", "Kasymaliev"),
    ("Мамытов", "Mamytov"),
    ("Орозбеков", "Orozbekov"),
    ("Токтосунов", "Toktosunov"),
    ("Урматов", "Urmatov"),
    ("Эсенгулов", "Esengulov"),
    ("Жумалиев", "Zhumaliev"),
    ("Шаршеев", "Sharsheev"),
    ("Алымкулов", "Alymkulov"),
    ("Дуйшеев", "Duisheev"),
)
RUSSIAN_MEN = (
    ("Алексей", "Aleksei"),
    ("Дмитрий", "Dmitrii"),
    ("Андрей", "Andrei"),
    ("Виктор", "Viktor"),
    ("Павел", "Pavel"),
    ("Игорь", "Igor"),
    ("Олег", "Oleg"),
    ("Николай", "Nikolai"),
    ("Владимир", "Vladimir"),
    ("Евгений", "Yevgenii"),
    ("Максим", "Maksim"),
)
RUSSIAN_WOMEN = (
    ("Ольга", "Olga"),
    ("Татьяна", "Tatiana"),
    ("Наталья", "Natalia"),
    ("Ирина", "Irina"),
    ("Светлана", "Svetlana"),
    ("Екатерина", "Yekaterina"),
    ("Марина", "Marina"),
    ("Юлия", "Yulia"),
)
RUSSIAN_FAMILIES = (
    ("Кузнецов", "Kuznetsov"),
    ("Попов", "Popov"),
    ("Морозов", "Morozov"),
    ("Волков", "Volkov"),
    ("Лебедев", "Lebedev"),
    ("Новиков", "Novikov"),
    ("Козлов", "Kozlov"),
    ("Павлов", "Pavlov"),
    ("Семёнов", "Semyonov"),
    ("Голубев", "Golubev"),
    ("Ким", "Kim"),
    ("Шевченко", "Shevchenko"),
    ("Бондаренко", "Bondarenko"),
    ("Макаров", "Makarov"),
)
# (share, men, women, families) per country: who an institution's officers are.
NAME_POOLS = {
    "KZ": (
        (0.7, KAZAKH_MEN, KAZAKH_WOMEN, KAZAKH_FAMILIES),
        (0.3, RUSSIAN_MEN, RUSSIAN_WOMEN, RUSSIAN_FAMILIES),
    ),
    "KG": (
        (0.85, KYRGYZ_MEN, KYRGYZ_WOMEN, KYRGYZ_FAMILIES),
        (0.15, RUSSIAN_MEN, RUSSIAN_WOMEN, RUSSIAN_FAMILIES),
    ),
}
SCRIPT = {"KZ": 0, "KG": 1}  # index into the (Cyrillic, Latin) pairs
COUNTRY = {entry["code"]: entry["country"] for entry in INSTITUTIONS}

PSYCHOLOGIST = StaffCategory.PSYCHOLOGIST
PVE_INSPECTOR = StaffCategory.PVE_INSPECTOR
SECURITY_OFFICER = StaffCategory.SECURITY_OFFICER
PROBATION_OFFICER = StaffCategory.PROBATION_OFFICER
MEDIA_OFFICER = StaffCategory.MEDIA_OFFICER
INSTRUCTOR = StaffCategory.INSTRUCTOR
PVE_CATEGORIES = (PSYCHOLOGIST, PVE_INSPECTOR, SECURITY_OFFICER)
POSITIONS = {
    PSYCHOLOGIST: "Prison psychologist",
    PVE_INSPECTOR: "Inspector for preventing violent extremism",
    SECURITY_OFFICER: "Security officer",
    PROBATION_OFFICER: "Probation officer",
    MEDIA_OFFICER: "Press officer, regional prison department",
}
LECTURER = {
    "KTA-PVE": "Lecturer, Prison Staff Training Centre on Preventing Violent Extremism",
    "KTA": "Senior lecturer, Department of Penal Law",
    "KG-MIA-ACAD": "Lecturer, Department of Penitentiary Law",
}

# Who each cohort enrols, per institution: `refs` (the external_ref prefix; numbers run on
# across rosters), `count`, `women`, `categories` (dealt out in turn), `regions` (`spread`: each
# region at least once before any repeats), `outcomes` ((status, how many), ...) and `trainers`.
ROSTERS: tuple[dict, ...] = (
    {
        "cohort": "KTA-PVE-2020-01",
        "institution": "KZ-PSC",
        "refs": "PSC-2020",
        "count": 19,
        "women": 2,
        "categories": PVE_CATEGORIES,
        "regions": KZ_REGIONS,
        "outcomes": ((COMPLETED, 18), (NO_SHOW, 1)),
    },
    {
        "cohort": "KTA-PVE-2020-02",
        "institution": "KZ-PSC",
        "refs": "PSC-2020",
        "count": 20,
        "women": 2,
        "categories": PVE_CATEGORIES,
        "regions": KZ_REGIONS,
        "outcomes": ((COMPLETED, 19), (WITHDRAWN, 1)),
    },
    {
        "cohort": "KTA-PVE-2020-03",
        "institution": "KZ-PSC",
        "refs": "PSC-2020",
        "count": 19,
        "women": 2,
        "categories": PVE_CATEGORIES,
        "regions": ("Pavlodar Region",),
        "outcomes": ((COMPLETED, 19),),
    },
    {
        "cohort": "PSC-MEDIA-2020-01",
        "institution": "KZ-PSC",
        "refs": "PSC-2020",
        "count": 29,
        "women": 15,
        "categories": (MEDIA_OFFICER,),
        "regions": KZ_REGIONS,
        "spread": True,
        "outcomes": ((COMPLETED, 29),),
    },
    {
        # The centre's instructors and lecturers: the national trainers of the PVE courses.
        "cohort": "KTA-PVE-TOT-2020-01",
        "institution": "KTA-PVE",
        "refs": "KTA-PVE",
        "count": 12,
        "women": 5,
        "categories": (INSTRUCTOR,),
        "regions": ("Kostanay Region",),
        "outcomes": ((COMPLETED, 12),),
        "trainers": True,
    },
    {
        "cohort": "KTA-HUB-2025-01",
        "institution": "KG-MIA-ACAD",
        "refs": "KGMIA-2025",
        "count": 7,
        "women": 2,
        "categories": (INSTRUCTOR,),
        "regions": ("Bishkek",),
        "outcomes": ((COMPLETED, 6), (FAILED, 1)),
    },
    {
        "cohort": "KTA-HUB-2025-01",
        "institution": "KG-SCS",
        "refs": "SCS-2025",
        "count": 6,
        "women": 1,
        "categories": (SECURITY_OFFICER, PVE_INSPECTOR),
        "regions": KG_REGIONS,
        "outcomes": ((COMPLETED, 5), (WITHDRAWN, 1)),
    },
    {
        "cohort": "KTA-HUB-2025-01",
        "institution": "KZ-PSC",
        "refs": "PSC-2025",
        "count": 6,
        "women": 1,
        "categories": (PSYCHOLOGIST, PVE_INSPECTOR, PROBATION_OFFICER),
        "regions": KZ_REGIONS,
        "outcomes": ((COMPLETED, 6),),
    },
    {
        "cohort": "KTA-HUB-2027-01",
        "institution": "KG-MIA-ACAD",
        "refs": "KGMIA-2026",
        "count": 5,
        "women": 2,
        "categories": (INSTRUCTOR,),
        "regions": ("Bishkek",),
        "outcomes": ((ENROLLED, 3), (NOMINATED, 2)),
    },
    {
        "cohort": "KTA-HUB-2027-01",
        "institution": "KG-SCS",
        "refs": "SCS-2026",
        "count": 3,
        "women": 1,
        "categories": (SECURITY_OFFICER,),
        "regions": KG_REGIONS,
        "outcomes": ((NOMINATED, 3),),
    },
    {
        "cohort": "KTA-HUB-2027-01",
        "institution": "KZ-PSC",
        "refs": "PSC-2026",
        "count": 3,
        "women": 1,
        "categories": (PSYCHOLOGIST, PROBATION_OFFICER),
        "regions": KZ_REGIONS,
        "outcomes": ((ENROLLED, 2), (WITHDRAWN, 1)),
    },
    {
        "cohort": "KTA-HUB-2027-01",
        "institution": "KTA",
        "refs": "KTA-2026",
        "count": 1,
        "women": 0,
        "categories": (INSTRUCTOR,),
        "regions": ("Kostanay Region",),
        "outcomes": ((NOMINATED, 1),),
    },
)

# NIKA's facilitators train the ToT's sessions; they enrol in no cohort. The articles do not say
# where NIKA is based, so they have no region.
FACILITATORS: tuple[dict, ...] = tuple(
    {
        "institution": "NIKA",
        "external_ref": ref,
        "given_name": given,
        "family_name": family,
        "gender": gender,
        "staff_category": INSTRUCTOR,
        "position": "Trainer in online learning",
        "region": None,
        "is_trainer": True,
    }
    for ref, given, family, gender in (
        ("NIKA-001", "Жанна", "Абилова", Gender.FEMALE),
        ("NIKA-002", "Константин", "Белов", Gender.MALE),
    )
)


def _family_name(name: str, gender: Gender) -> str:
    """The family name for the gender: -ov, -ev and -in take -a for women; others do not change."""
    if gender is Gender.FEMALE and name.endswith(("ов", "ев", "ёв", "ин", "ov", "ev", "in")):
        return name + ("а" if name[-1] in "вн" else "a")
    return name


def _name(rng: random.Random, country: str, gender: Gender, taken: set) -> tuple[str, str]:
    """A (given, family) name not used before, in the script of the institution's country."""
    pools = NAME_POOLS[country]
    while True:
        _share, men, women, families = rng.choices(pools, weights=[p[0] for p in pools])[0]
        given = rng.choice(women if gender is Gender.FEMALE else men)[SCRIPT[country]]
        family = _family_name(rng.choice(families)[SCRIPT[country]], gender)
        if (given, family) not in taken:
            taken.add((given, family))
            return given, family


def _attendance(rng: random.Random, status: EnrolmentStatus, sessions: tuple[dict, ...]) -> tuple:
    """(present, minutes) per session: the completed miss at most one, the failed about a third."""
    minutes = [int((s["ends_at"] - s["starts_at"]).total_seconds() // 60) for s in sessions]
    if status is NO_SHOW:
        return tuple((False, 0) for _ in sessions)
    missed = set()
    if status is COMPLETED and len(sessions) > 4 and rng.random() < 0.3:
        missed = {rng.randrange(len(sessions))}
    elif status is FAILED:
        missed = set(rng.sample(range(len(sessions)), len(sessions) // 3 + 1))
    return tuple(
        (False, 0) if n in missed else (True, length - rng.choice((0, 0, 0, 0, 5, 10, 15)))
        for n, length in enumerate(minutes)
    )


def _results(rng: random.Random, status: EnrolmentStatus) -> dict:
    """Pre- and post-test scores (0-100) and satisfaction (1-5) for those who sat the course."""
    if status is COMPLETED:
        pre = rng.randint(35, 70)
        return {
            "pre_score": pre,
            "post_score": min(100, max(60, pre + rng.randint(10, 35))),
            "satisfaction": rng.choices((3, 4, 5), weights=(1, 4, 5))[0],
        }
    if status is FAILED:
        return {"pre_score": rng.randint(25, 50), "post_score": rng.randint(30, 55), "satisfaction": 3}
    return {"pre_score": None, "post_score": None, "satisfaction": None}


def _changed_at(rng: random.Random, status: EnrolmentStatus, cohort: dict) -> datetime:
    """When the enrolment reached its status: outcomes after the last session, the rest before."""
    first, last = cohort["sessions"][0], cohort["sessions"][-1]
    if status in (COMPLETED, FAILED):
        return last["ends_at"] + timedelta(hours=1)
    if status is NO_SHOW:
        return first["ends_at"]
    # Nominations for the 2027 course came in October and November 2026.
    days = rng.randint(5, 20) if cohort["status"] is CohortStatus.COMPLETED else rng.randint(80, 105)
    return first["starts_at"] - timedelta(days=days)


def _roster(roster: dict, cohort: dict, numbers: dict, taken: set) -> tuple[list[dict], list[dict]]:
    """The participants of one roster and their enrolments in its cohort."""
    rng = random.Random(f"{roster['cohort']}/{roster['institution']}")  # noqa: S311 - demo data, not secrets
    code, count = roster["institution"], roster["count"]
    statuses = [status for status, n in roster["outcomes"] for _ in range(n)]
    if len(statuses) != count:
        raise ValueError(f"Demo roster {roster['cohort']}/{code}: outcomes do not add up to {count}.")
    rng.shuffle(statuses)
    completed = [n for n, status in enumerate(statuses) if status is COMPLETED]
    pool = completed if len(completed) >= roster["women"] else range(count)
    women = set(rng.sample(pool, roster["women"]))
    categories = [roster["categories"][n % len(roster["categories"])] for n in range(count)]
    rng.shuffle(categories)
    regions = roster["regions"]
    if roster.get("spread"):
        spread = list(regions) + [rng.choice(regions) for _ in range(count - len(regions))]
        rng.shuffle(spread)
    else:
        spread = [rng.choice(regions) for _ in range(count)]
    held = cohort["status"] is CohortStatus.COMPLETED
    participants, enrolments = [], []
    for n in range(count):
        numbers[roster["refs"]] = numbers.get(roster["refs"], 0) + 1
        ref = f"{roster['refs']}-{numbers[roster['refs']]:03d}"
        gender = Gender.FEMALE if n in women else Gender.MALE
        given, family = _name(rng, COUNTRY[code], gender, taken)
        category = categories[n]
        participants.append(
            {
                "institution": code,
                "external_ref": ref,
                "given_name": given,
                "family_name": family,
                "gender": gender,
                "staff_category": category,
                "position": LECTURER[code] if category is INSTRUCTOR else POSITIONS[category],
                "region": spread[n],
                "is_trainer": roster.get("trainers", False),
            }
        )
        status = statuses[n]
        enrolments.append(
            {
                "cohort": roster["cohort"],
                "participant": (code, ref),
                "status": status,
                "status_changed_at": _changed_at(rng, status, cohort),
                **_results(rng, status),
                "attendance": _attendance(rng, status, cohort["sessions"])
                if held and status in CONFIRMED
                else (),
            }
        )
    return participants, enrolments


def _generate() -> tuple[tuple[dict, ...], tuple[dict, ...]]:
    """Every roster's participants and enrolments, in roster order, plus the facilitators."""
    cohorts = {entry["code"]: entry for entry in COHORTS}
    numbers: dict[str, int] = {}
    taken = {(f["given_name"], f["family_name"]) for f in FACILITATORS}
    participants, enrolments = list(FACILITATORS), []
    for roster in ROSTERS:
        people, places = _roster(roster, cohorts[roster["cohort"]], numbers, taken)
        participants += people
        enrolments += places
    return tuple(participants), tuple(enrolments)


# Each participant: the Participant fields by name, with `institution` (a demo institution code).
# Each enrolment: the Enrolment fields by name, with `cohort` (a demo cohort code), `participant`
# ((institution code, external_ref)) and `attendance` ((present, minutes) per session of the
# cohort, in the order listed there; empty when there is none to record).
PARTICIPANTS, ENROLMENTS = _generate()
