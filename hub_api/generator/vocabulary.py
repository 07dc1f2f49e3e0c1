"""Words the synthetic data is made of: places, institutions, positions, programmes and course subjects."""

CENTRAL_ASIA_WEIGHTS = {"KZ": 34, "UZ": 24, "KG": 18, "TJ": 14, "TM": 10}
NEIGHBOURS = ("AF", "AZ", "MN", "RU")
DONOR_COUNTRIES = ("AT", "NL", "BE", "US")

# Country code: (city, city in Russian, region) of the places institutions stand in.
CITIES = {
    "KZ": (
        ("Astana", "Астана", "Astana"),
        ("Almaty", "Алматы", "Almaty"),
        ("Kostanay", "Костанай", "Kostanay Region"),
        ("Karaganda", "Караганда", "Karaganda Region"),
        ("Shymkent", "Шымкент", "Shymkent"),
        ("Pavlodar", "Павлодар", "Pavlodar Region"),
        ("Aktobe", "Актобе", "Aktobe Region"),
        ("Oral", "Уральск", "West Kazakhstan Region"),
        ("Semey", "Семей", "Abai Region"),
        ("Taraz", "Тараз", "Jambyl Region"),
    ),
    "KG": (
        ("Bishkek", "Бишкек", "Bishkek"),
        ("Osh", "Ош", "Osh Region"),
        ("Jalal-Abad", "Джалал-Абад", "Jalal-Abad Region"),
        ("Karakol", "Каракол", "Issyk-Kul Region"),
        ("Naryn", "Нарын", "Naryn Region"),
        ("Talas", "Талас", "Talas Region"),
    ),
    "TJ": (
        ("Dushanbe", "Душанбе", "Dushanbe"),
        ("Khujand", "Худжанд", "Sughd Region"),
        ("Bokhtar", "Бохтар", "Khatlon Region"),
        ("Kulob", "Куляб", "Khatlon Region"),
        ("Khorog", "Хорог", "Gorno-Badakhshan"),
    ),
    "TM": (
        ("Ashgabat", "Ашхабад", "Ashgabat"),
        ("Turkmenabat", "Туркменабад", "Lebap Region"),
        ("Mary", "Мары", "Mary Region"),
        ("Dashoguz", "Дашогуз", "Dashoguz Region"),
        ("Balkanabat", "Балканабад", "Balkan Region"),
    ),
    "UZ": (
        ("Tashkent", "Ташкент", "Tashkent"),
        ("Samarkand", "Самарканд", "Samarkand Region"),
        ("Bukhara", "Бухара", "Bukhara Region"),
        ("Namangan", "Наманган", "Namangan Region"),
        ("Andijan", "Андижан", "Andijan Region"),
        ("Fergana", "Фергана", "Fergana Region"),
        ("Nukus", "Нукус", "Karakalpakstan"),
    ),
    "AF": (("Kabul", "Кабул", "Kabul"), ("Mazar-i-Sharif", "Мазари-Шариф", "Balkh")),
    "AZ": (("Baku", "Баку", "Baku"), ("Ganja", "Гянджа", "Ganja")),
    "MN": (("Ulaanbaatar", "Улан-Батор", "Ulaanbaatar"), ("Darkhan", "Дархан", "Darkhan-Uul")),
    "RU": (("Moscow", "Москва", "Moscow"), ("Novosibirsk", "Новосибирск", "Novosibirsk Region")),
    "AT": (("Vienna", "Вена", "Vienna"),),
    "NL": (("The Hague", "Гаага", "South Holland"),),
    "BE": (("Brussels", "Брюссель", "Brussels"),),
    "US": (("Washington", "Вашингтон", "District of Columbia"),),
}

# Kind: (English name, Russian name, short prefix); {city} and {n} are filled in.
INSTITUTION_NAMES = {
    "academy": ("Training Academy No. {n}, {city}", "Учебная академия № {n}, г. {city_ru}", "ACAD"),
    "penitentiary_service": (
        "Penitentiary Service Department No. {n}, {city}",
        "Департамент уголовно-исполнительной системы № {n}, г. {city_ru}",
        "PEN",
    ),
    "probation_service": (
        "Probation Service Office No. {n}, {city}",
        "Служба пробации № {n}, г. {city_ru}",
        "PROB",
    ),
    "university": ("University of Law No. {n}, {city}", "Юридический университет № {n}, г. {city_ru}", "UNI"),
    "ministry": ("Ministry of Justice of {country}", "Министерство юстиции ({country_ru})", "MOJ"),
    "donor": (
        "Development Cooperation Agency of {country}",
        "Агентство по сотрудничеству ({country_ru})",
        "DON",
    ),
    "international_organisation": (
        "Regional Office for Central Asia of an International Organisation",
        "Региональное представительство международной организации в Центральной Азии",
        "IO",
    ),
}
# Member kinds (institutions whose staff are trained): share of institutions, relative staff size,
# and how often each hosts a cohort.
MEMBER_KINDS = ("penitentiary_service", "probation_service", "academy", "university", "ministry")
MEMBER_KIND_WEIGHTS = (38, 27, 18, 9, 8)
STAFF_WEIGHT = {
    "penitentiary_service": 6,
    "probation_service": 4,
    "academy": 2,
    "university": 1,
    "ministry": 0.7,
}
HOST_WEIGHT = {
    "academy": 8,
    "university": 2,
    "penitentiary_service": 2,
    "probation_service": 1.5,
    "ministry": 0.3,
    "international_organisation": 6,
}
SIGNATORY_TITLES = {
    "academy": "Head of the Academy",
    "penitentiary_service": "Director of the Department",
    "probation_service": "Head of the Probation Service",
    "university": "Rector",
    "ministry": "Deputy Minister of Justice",
    "international_organisation": "Regional Representative",
    "donor": "Head of Cooperation",
}

# Staff category: (share of staff, share of women, positions in Russian).
STAFF_CATEGORIES = {
    "security_officer": (30, 0.2, ("Инспектор отдела безопасности", "Старший инспектор дежурной части")),
    "probation_officer": (20, 0.45, ("Инспектор службы пробации", "Старший инспектор пробации")),
    "psychologist": (10, 0.7, ("Психолог учреждения", "Старший психолог")),
    "pve_inspector": (8, 0.3, ("Инспектор по профилактике насильственного экстремизма",)),
    "manager": (12, 0.25, ("Начальник отдела", "Заместитель начальника учреждения")),
    "instructor": (8, 0.4, ("Преподаватель кафедры", "Старший преподаватель")),
    "media_officer": (3, 0.6, ("Специалист по связям с общественностью",)),
    "other": (9, 0.4, ("Специалист", "Медицинский работник")),
}
# In probation services most staff are probation officers.
PROBATION_STAFF_WEIGHTS = {"probation_officer": 60, "psychologist": 12, "manager": 12, "other": 16}

LANGUAGES_BY_COUNTRY = {
    "KZ": (("ru", 80), ("kk", 10), ("en", 10)),
    "KG": (("ru", 80), ("ky", 10), ("en", 10)),
    "TJ": (("ru", 60), ("tg", 30), ("en", 10)),
    "TM": (("ru", 50), ("tk", 40), ("en", 10)),
    "UZ": (("ru", 60), ("uz", 30), ("en", 10)),
}
DEFAULT_LANGUAGES = (("ru", 50), ("en", 50))

# Programme themes: (English name, Russian name).
PROGRAMMES = (
    ("Prison Reform in Central Asia", "Реформа пенитенциарной системы в Центральной Азии"),
    ("Preventing Violent Extremism in Prisons", "Предупреждение насильственного экстремизма в тюрьмах"),
    ("Alternatives to Imprisonment and Probation", "Альтернативы лишению свободы и пробация"),
    ("Gender-Responsive Prison Management", "Гендерно-ориентированное управление учреждениями"),
    ("Regional Training Hub Support", "Поддержка регионального учебного центра"),
    ("Rehabilitation and Social Reintegration", "Реабилитация и социальная реинтеграция"),
)
AGREEMENT_TITLES = (
    (
        "Memorandum of Understanding on joint training of prison staff",
        "Меморандум о взаимопонимании по совместной подготовке сотрудников",
    ),
    (
        "Agreement on cooperation in staff qualification",
        "Соглашение о сотрудничестве в повышении квалификации",
    ),
    ("Workplan on curriculum sharing", "План работы по обмену учебными программами"),
    ("Letter of intent on staff exchange", "Письмо о намерениях по обмену сотрудниками"),
    ("Agreement on joint research in penitentiary practice", "Соглашение о совместных исследованиях"),
)

# Curriculum subjects: (English title, Russian title, audiences, standards, delivery modes).
CURRICULA = (
    (
        "Dynamic security in prisons",
        "Динамическая безопасность в учреждениях",
        ("security_officer", "manager"),
        ("nelson_mandela_rules", "unodc_dynamic_security_handbook"),
        ("in_person", "blended"),
    ),
    (
        "Preventing violent extremism in prisons",
        "Предупреждение насильственного экстремизма в учреждениях",
        ("pve_inspector", "psychologist", "security_officer"),
        ("unodc_vep_handbook",),
        ("in_person", "online"),
    ),
    (
        "Probation and alternatives to imprisonment",
        "Пробация и альтернативы лишению свободы",
        ("probation_officer",),
        ("tokyo_rules",),
        ("in_person", "online", "blended"),
    ),
    (
        "Treatment of women prisoners",
        "Обращение с женщинами-заключёнными",
        ("security_officer", "psychologist", "manager"),
        ("bangkok_rules", "nelson_mandela_rules"),
        ("in_person", "online"),
    ),
    (
        "Prison intelligence",
        "Сбор и анализ информации в учреждениях",
        ("security_officer", "pve_inspector"),
        ("unodc_prison_intelligence_handbook",),
        ("in_person",),
    ),
    (
        "Risk and needs assessment",
        "Оценка рисков и потребностей осуждённых",
        ("probation_officer", "psychologist"),
        ("nelson_mandela_rules", "tokyo_rules"),
        ("in_person", "blended"),
    ),
    (
        "Rehabilitation and social reintegration",
        "Реабилитация и социальная реинтеграция",
        ("psychologist", "probation_officer", "other"),
        ("nelson_mandela_rules",),
        ("in_person", "e_learning"),
    ),
    (
        "Training of trainers: adult learning",
        "Подготовка тренеров: обучение взрослых",
        ("instructor",),
        ("other",),
        ("in_person", "blended"),
    ),
    (
        "Health and mental health in prisons",
        "Охрана здоровья и психическое здоровье в учреждениях",
        ("psychologist", "other"),
        ("nelson_mandela_rules",),
        ("online", "e_learning"),
    ),
    (
        "Media and public communication",
        "Работа со СМИ и общественные коммуникации",
        ("media_officer", "manager"),
        ("other",),
        ("online", "in_person"),
    ),
)
MODULE_SUBJECTS = (
    ("International standards and national law", "Международные стандарты и национальное законодательство"),
    ("Human rights in daily practice", "Права человека в повседневной практике"),
    ("Communication and de-escalation", "Коммуникация и деэскалация конфликтов"),
    ("Risk assessment tools", "Инструменты оценки рисков"),
    ("Case studies", "Разбор практических случаев"),
    ("Working with vulnerable groups", "Работа с уязвимыми группами"),
    ("Inter-agency cooperation", "Межведомственное взаимодействие"),
    ("Role play and simulation", "Ролевые игры и моделирование"),
    ("Record keeping and reporting", "Документирование и отчётность"),
    ("Staff well-being and stress management", "Благополучие персонала и управление стрессом"),
)
FIRST_MODULE = ("Introduction and principles", "Введение и основные принципы")
LAST_MODULE = ("Assessment and action planning", "Итоговая оценка и план действий")

# Cohort kind: (English title prefix, Russian title prefix).
COHORT_TITLE_PREFIXES = {
    "course": ("", ""),
    "webinar": ("Webinar: ", "Вебинар: "),
    "tot": ("Training of trainers: ", "Подготовка тренеров: "),
    "e_learning": ("E-learning: ", "Дистанционный курс: "),
    "exchange_visit": ("Exchange visit: ", "Обменный визит: "),
    "study_visit": ("Study visit: ", "Учебный визит: "),
    "seminar": ("Seminar: ", "Семинар: "),
}
MONTHS = (
    ("January", "январь"),
    ("February", "февраль"),
    ("March", "март"),
    ("April", "апрель"),
    ("May", "май"),
    ("June", "июнь"),
    ("July", "июль"),
    ("August", "август"),
    ("September", "сентябрь"),
    ("October", "октябрь"),
    ("November", "ноябрь"),
    ("December", "декабрь"),
)
