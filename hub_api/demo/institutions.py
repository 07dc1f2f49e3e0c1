"""The demo institutions, their contacts and the demo accounts, as plain data for the loader.

Institutions come from the hub's source articles. Every contact person is INVENTED: the
articles name real officials, and officers' identities are sensitive, so none of them may
appear here. Contact emails use the reserved `.example` domain, and no phone numbers are given.
`external_ids` values are invented but plausible.
"""

from hub_api.models.enums import InstitutionKind, Role

# Each entry: the Institution fields by name, plus `parent` (the parent's code, listed earlier)
# and `contacts` (dicts of Contact fields). Omitted optional fields are cleared on refresh.
INSTITUTIONS: tuple[dict, ...] = (
    {
        "code": "KTA",
        "name": {
            "en": "Kostanay Training Academy",
            "ru": "Костанайская академия МВД Республики Казахстан имени Шракбека Кабылбаева",
            "kk": "Қазақстан Республикасы ІІМ Шырақбек Қабылбаев атындағы Қостанай академиясы",
        },
        "short_name": "KTA",
        "kind": InstitutionKind.ACADEMY,
        "country": "KZ",
        "region": "Kostanay Region",
        "city": "Kostanay",
        "external_ids": {"unodc_partner_registry": "UNODC-PRT-KZ-0412", "lms": "KTA"},
        "contacts": (
            {
                "name": "Bolat Yesimkhanov",
                "position": "Head of the Academy",
                "email": "head@kta-demo.example",
                "roles": ["head", "signatory"],
            },
            {
                "name": "Aigerim Tulegenova",
                "position": "Head of the International Cooperation Department",
                "email": "intl@kta-demo.example",
                "roles": ["focal_point", "coordinator"],
            },
        ),
    },
    {
        "code": "KTA-PVE",
        "parent": "KTA",
        "name": {
            "en": "Prison Staff Training Centre on Preventing Violent Extremism",
            "ru": "Центр подготовки сотрудников пенитенциарной системы по предупреждению "
            "насильственного экстремизма",
        },
        "short_name": "PVE Training Centre",
        "kind": InstitutionKind.ACADEMY,
        "country": "KZ",
        "region": "Kostanay Region",
        "city": "Kostanay",
        "contacts": (
            {
                "name": "Gulnara Sadykova",
                "position": "Head of the Centre",
                "email": "pve-centre@kta-demo.example",
                "roles": ["head", "trainer"],
            },
        ),
    },
    {
        "code": "KG-MIA-ACAD",
        "name": {
            "en": "Academy of the Ministry of Interior Affairs of the Kyrgyz Republic",
            "ru": "Академия Министерства внутренних дел Кыргызской Республики",
            "ky": "Кыргыз Республикасынын Ички иштер министрлигинин Академиясы",
        },
        "short_name": "MIA Academy KG",
        "kind": InstitutionKind.ACADEMY,
        "country": "KG",
        "region": "Bishkek",
        "city": "Bishkek",
        "contacts": (
            {
                "name": "Ermek Toktogulov",
                "position": "Head of the Academy",
                "email": "head@mia-academy-demo.example",
                "roles": ["head", "signatory"],
            },
            {
                "name": "Nazira Asanova",
                "position": "Head of the International Relations Division",
                "email": "intl@mia-academy-demo.example",
                "roles": ["focal_point"],
            },
        ),
    },
    {
        "code": "KNU",
        "name": {
            "en": "Jusup Balasagyn Kyrgyz National University",
            "ru": "Кыргызский национальный университет имени Жусупа Баласагына",
            "ky": "Жусуп Баласагын атындагы Кыргыз улуттук университети",
        },
        "short_name": "KNU",
        "kind": InstitutionKind.UNIVERSITY,
        "country": "KG",
        "region": "Bishkek",
        "city": "Bishkek",
        "website": "https://www.knu.kg",
        "external_ids": {"unodc_partner_registry": "UNODC-PRT-KG-0187"},
        "contacts": (
            {
                "name": "Almazbek Turdubaev",
                "position": "Rector",
                "email": "rector@knu-demo.example",
                "roles": ["head", "signatory"],
            },
            {
                "name": "Cholpon Bekmuratova",
                "position": "Vice-Rector for International Relations",
                "email": "intl@knu-demo.example",
                "roles": ["focal_point"],
            },
        ),
    },
    {
        "code": "KG-SCS",
        "name": {
            "en": "Security and Convoy Service under the Ministry of Justice of the Kyrgyz Republic",
            "ru": "Служба охраны и конвоирования при Министерстве юстиции Кыргызской Республики",
        },
        "short_name": "Security and Convoy Service",
        "kind": InstitutionKind.PENITENTIARY_SERVICE,
        "country": "KG",
        "region": "Bishkek",
        "city": "Bishkek",
        "contacts": (
            {
                "name": "Talant Sydykbekov",
                "position": "Chairperson",
                "email": "chair@scs-demo.example",
                "roles": ["head", "signatory"],
            },
            {
                "name": "Aizada Omurbekova",
                "position": "Chief Specialist, Personnel Training Division",
                "email": "training@scs-demo.example",
                "roles": ["focal_point", "coordinator"],
            },
        ),
    },
    {
        "code": "KZ-PSC",
        "name": {
            "en": "Penal System Committee of the Ministry of Internal Affairs of the Republic of Kazakhstan",
            "ru": "Комитет уголовно-исполнительной системы Министерства внутренних дел Республики Казахстан",
            "kk": "Қазақстан Республикасы Ішкі істер министрлігінің Қылмыстық-атқару жүйесі комитеті",
        },
        "short_name": "Prison Committee",
        "kind": InstitutionKind.PENITENTIARY_SERVICE,
        "country": "KZ",
        "region": "Astana",
        "city": "Astana",
        "contacts": (
            {
                "name": "Yerzhan Kaliyev",
                "position": "Deputy Chairperson",
                "email": "deputy@psc-demo.example",
                "roles": ["signatory"],
            },
            {
                "name": "Dinara Zhaksylykova",
                "position": "Chief Specialist, Staff Training Division",
                "email": "training@psc-demo.example",
                "roles": ["focal_point"],
            },
        ),
    },
    {
        "code": "UNODC",
        "name": {
            "en": "United Nations Office on Drugs and Crime",
            "ru": "Управление Организации Объединённых Наций по наркотикам и преступности",
        },
        "short_name": "UNODC",
        "kind": InstitutionKind.INTERNATIONAL_ORGANISATION,
        "country": "AT",
        "region": "Vienna",
        "city": "Vienna",
        "website": "https://www.unodc.org",
        "contacts": (
            {
                "name": "Anna Lindqvist",
                "position": "Programme Officer, Prison Reform (Central Asia)",
                "email": "prison-reform@unodc-demo.example",
                "roles": ["focal_point", "coordinator"],
            },
        ),
    },
    {
        "code": "UNOCT",
        "name": {
            "en": "United Nations Office of Counter-Terrorism",
            "ru": "Контртеррористическое управление Организации Объединённых Наций",
        },
        "short_name": "UNOCT",
        "kind": InstitutionKind.INTERNATIONAL_ORGANISATION,
        "country": "US",
        "region": "New York",
        "city": "New York",
        "website": "https://www.un.org/counterterrorism",
    },
    {
        "code": "EU",
        "name": {
            "en": "European Union",
            "ru": "Европейский союз",
            "kk": "Еуропалық Одақ",
        },
        "short_name": "EU",
        "kind": InstitutionKind.DONOR,
        "country": "BE",
        "region": "Brussels-Capital Region",
        "city": "Brussels",
        "website": "https://european-union.europa.eu",
    },
    {
        "code": "NL-GOV",
        "name": {
            "en": "Government of the Netherlands",
            "ru": "Правительство Нидерландов",
        },
        "short_name": "Netherlands",
        "kind": InstitutionKind.DONOR,
        "country": "NL",
        "region": "South Holland",
        "city": "The Hague",
        "website": "https://www.government.nl",
    },
    {
        # The articles do not say where NIKA is based; it trained Kostanay's staff, so KZ.
        "code": "NIKA",
        "name": {
            "en": "Centre for Communicative Development (NIKA)",
            "ru": "Центр коммуникативного развития «НИКА»",
        },
        "short_name": "NIKA",
        "kind": InstitutionKind.NGO,
        "country": "KZ",
    },
    {
        # Donor of RFTF Detention Program Phase II (seed: UNODC supports Kostanay, June 2024).
        "code": "US-DOS-CT",
        "name": {
            "en": "Bureau of Counterterrorism, U.S. Department of State",
            "ru": "Бюро по борьбе с терроризмом Государственного департамента США",
        },
        "short_name": "US State Department CT Bureau",
        "kind": InstitutionKind.DONOR,
        "country": "US",
        "region": "District of Columbia",
        "city": "Washington",
        "website": "https://www.state.gov",
    },
    {
        # Donor of "Support to Police Reform in Kazakhstan".
        "code": "US-DOS-INL",
        "name": {
            "en": "Bureau of International Narcotics and Law Enforcement Affairs (INL), "
            "U.S. Department of State",
            "ru": "Бюро по международным вопросам борьбы с наркотиками и правоохранительной "
            "деятельности (INL) Государственного департамента США",
        },
        "short_name": "INL",
        "kind": InstitutionKind.DONOR,
        "country": "US",
        "region": "District of Columbia",
        "city": "Washington",
        "website": "https://www.state.gov",
    },
    {
        # UNODC's partner in the Country Workplan under the police-reform project.
        "code": "KZ-MIA",
        "name": {
            "en": "Ministry of Internal Affairs of the Republic of Kazakhstan",
            "ru": "Министерство внутренних дел Республики Казахстан",
            "kk": "Қазақстан Республикасы Ішкі істер министрлігі",
        },
        "short_name": "Interior Ministry KZ",
        "kind": InstitutionKind.MINISTRY,
        "country": "KZ",
        "region": "Astana",
        "city": "Astana",
        "contacts": (
            {
                "name": "Daulet Amanzholov",
                "position": "Deputy Minister of Internal Affairs",
                "email": "deputy-minister@mia-kz-demo.example",
                "roles": ["signatory"],
            },
        ),
    },
    {
        # Not named in the articles: a Tajik partner for the demo's regional MoUs.
        "code": "TJ-GUIUN-TC",
        "name": {
            "en": "Training Centre of the Main Directorate for the Execution of Criminal "
            "Punishments of the Ministry of Justice of the Republic of Tajikistan",
            "ru": "Учебный центр Главного управления исполнения уголовных наказаний "
            "Министерства юстиции Республики Таджикистан",
            "tg": "Маркази таълимии Сарраёсати иҷрои ҷазои ҷиноятии Вазорати адлияи Ҷумҳурии Тоҷикистон",
        },
        "short_name": "GUIUN Training Centre",
        "kind": InstitutionKind.ACADEMY,
        "country": "TJ",
        "region": "Dushanbe",
        "city": "Dushanbe",
        "contacts": (
            {
                "name": "Firuz Qodirov",
                "position": "Head of the Training Centre",
                "email": "head@guiun-tc-demo.example",
                "roles": ["head", "signatory"],
            },
        ),
    },
    {
        # Not named in the articles: an Uzbek partner for the demo's regional MoUs.
        "code": "UZ-MIA-ACAD",
        "name": {
            "en": "Academy of the Ministry of Internal Affairs of the Republic of Uzbekistan",
            "ru": "Академия Министерства внутренних дел Республики Узбекистан",
            "uz": "Oʻzbekiston Respublikasi Ichki ishlar vazirligi Akademiyasi",
        },
        "short_name": "MIA Academy UZ",
        "kind": InstitutionKind.ACADEMY,
        "country": "UZ",
        "region": "Tashkent",
        "city": "Tashkent",
        "contacts": (
            {
                "name": "Bekzod Tursunov",
                "position": "Head of the Academy",
                "email": "head@mia-academy-uz-demo.example",
                "roles": ["head", "signatory"],
            },
        ),
    },
)

# (email, full name, role, code of the account's institution or None)
DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str | None], ...] = (
    ("admin@demo-hub.example", "Demo Hub Administrator", Role.HUB_ADMIN, None),
    ("coordinator@demo-hub.example", "Demo Kostanay Coordinator", Role.COORDINATOR, "KTA"),
    ("analyst@demo-hub.example", "Demo Analyst", Role.ANALYST, None),
)
