"""Readable labels for statistics' codes, in the caller's language (English when none fits)."""

from hub_api.models.enums import LANGUAGES

# Enum values as people read them; languages without an entry fall back to English.
ENUM_LABELS = {
    "en": {
        "pve_inspector": "PVE inspector",
        "in_person": "in person",
        "e_learning": "e-learning",
        "tot": "training of trainers",
        "no_show": "no-show",
        "in_progress": "in progress",
        "penitentiary_service": "penitentiary service",
        "probation_service": "probation service",
        "international_organisation": "international organisation",
        "ngo": "NGO",
    },
    "ru": {
        "female": "женщины",
        "male": "мужчины",
        "other": "другое",
        "undisclosed": "не указано",
        "psychologist": "психолог",
        "pve_inspector": "инспектор по ПНЭ",
        "security_officer": "сотрудник безопасности",
        "probation_officer": "сотрудник пробации",
        "media_officer": "сотрудник по связям со СМИ",
        "instructor": "преподаватель",
        "manager": "руководитель",
        "in_person": "очно",
        "online": "онлайн",
        "blended": "смешанный",
        "e_learning": "электронное обучение",
        "course": "курс",
        "webinar": "вебинар",
        "tot": "подготовка тренеров",
        "exchange_visit": "обменный визит",
        "study_visit": "учебный визит",
        "seminar": "семинар",
        "planned": "запланирована",
        "open": "открыта",
        "in_progress": "идёт",
        "completed": "завершена",
        "cancelled": "отменена",
        "draft": "проект",
        "negotiation": "согласование",
        "signed": "подписано",
        "active": "действует",
        "terminated": "расторгнуто",
        "expired": "истекло",
        "superseded": "заменено",
        "academy": "академия",
        "university": "университет",
        "penitentiary_service": "пенитенциарная служба",
        "probation_service": "служба пробации",
        "ministry": "министерство",
        "international_organisation": "международная организация",
        "donor": "донор",
        "ngo": "НКО",
    },
}
NONE_LABEL = {"en": "none", "ru": "нет"}
MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
}


def choose_language(requested: str | None, accept_languages) -> str:
    """The `lang` argument if given, else the best `Accept-Language` match, else English."""
    if requested:
        return requested
    return accept_languages.best_match(LANGUAGES, default="en")


def text_in(text: dict | None, lang: str) -> str:
    """A multilingual text in `lang`, else English, else its first language."""
    if not text:
        return ""
    return text.get(lang) or text.get("en") or next(iter(text.values()))


def enum_label(value: str | None, lang: str) -> str:
    """The readable name of an enum value."""
    if value is None:
        return NONE_LABEL.get(lang, NONE_LABEL["en"])
    return ENUM_LABELS.get(lang, {}).get(value) or ENUM_LABELS["en"].get(value) or value.replace("_", " ")


def period_label(code: str, lang: str) -> str:
    """`2020` stays; `2020-Q2` reads `Q2 2020`; `2020-05` reads `May 2020` (or `май 2020`)."""
    if "-Q" in code:
        year, quarter = code.split("-Q")
        return f"Q{quarter} {year}" if lang != "ru" else f"{quarter} кв. {year}"
    if "-" in code:
        year, month = code.split("-")
        return f"{MONTHS.get(lang, MONTHS['en'])[int(month) - 1]} {year}"
    return code
