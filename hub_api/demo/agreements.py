"""The demo agreements: the MoUs and the workplan the articles report, plus invented regional ones.

The June 2024 Bishkek MoU and the UNODC-Interior Ministry Country Workplan come from the source
articles; the other agreements are invented so that every lifecycle status appears. Every
signatory name is INVENTED (the articles name real officials, who must not appear here); they
match the demo institutions' signatory contacts.

Dates are fixed, never computed from today, so the data set is deterministic. Read on
2026-11-21 (when the data set was written), the agreements show every status:

- active:      MOU/2024/KTA-KGMIA-KNU, MOU/2021/KTA-TJ-GUIUN-R, MOU/2024/KTA-UZ-MIA
               (the last expires on 2027-01-31, within 90 days)
- expired:     WP/2020/UNODC-KZ-MIA (active, expired on 2022-12-31)
- superseded:  MOU/2021/KTA-TJ-GUIUN (active, but its renewal is active)
- draft:       MOU/2024/KTA-UZ-MIA-R (renewal being drafted)
- negotiation: MOU/2026/KTA-KG-SCS
- signed:      CA/2026/KTA-KZ-PSC (takes effect on 2027-01-01)
- terminated:  LOI/2022/KGMIA-TJ-GUIUN
"""

from datetime import date

from hub_api.models.enums import (
    AgreementKind,
    AgreementStatus,
    CommitmentPeriod,
    CooperationArea,
    PartyRole,
    ProgrammeMetric,
)

NEGOTIATION = AgreementStatus.NEGOTIATION
SIGNED = AgreementStatus.SIGNED
ACTIVE = AgreementStatus.ACTIVE
TERMINATED = AgreementStatus.TERMINATED

KTA_HEAD = ("Bolat Yesimkhanov", "Head of the Kostanay Training Academy")
KG_MIA_HEAD = ("Ermek Toktogulov", "Head of the Academy of the Ministry of Interior Affairs")
KNU_RECTOR = ("Almazbek Turdubaev", "Rector")
TJ_HEAD = ("Firuz Qodirov", "Head of the Training Centre")
UZ_HEAD = ("Bekzod Tursunov", "Head of the Academy")


def _party(code: str, signatory: tuple[str, str] | None = None, signed_on: date | None = None) -> dict:
    """A party entry: an institution code, who signed for it and when."""
    name, title = signatory or (None, None)
    return {
        "institution": code,
        "role": PartyRole.PARTY,
        "signatory_name": name,
        "signatory_title": title,
        "signed_on": signed_on,
    }


def _supporting(code: str) -> dict:
    """An institution that supports the agreement without being bound by it."""
    return {**_party(code), "role": PartyRole.SUPPORTING}


def _commitment(metric: ProgrammeMetric, target: int, per: CommitmentPeriod) -> dict:
    return {"metric": metric, "target": target, "per": per}


YEAR = CommitmentPeriod.YEAR
TOTAL = CommitmentPeriod.TOTAL

# Each entry: the Agreement fields by name, plus `programme` (a demo programme code or None),
# `predecessor` (the reference of the agreement it renews, listed earlier), `parties` and
# `commitments`, and `history`: the lifecycle moves out of `draft`, as (to, on, note). The stored
# `status` is the last move's target (`draft` without moves) and `signed_on` is the date of the
# move to `signed`; the loader writes one AgreementTransition per move.
AGREEMENTS: tuple[dict, ...] = (
    {
        # Seed: "On 12 June 2024, a delegation from Kazakhstan's Kostanay Training Academy visited
        # Bishkek ... During the visit, Memoranda of Understanding were signed between the Kostanay
        # Training Academy, the Academy of the Ministry of Interior Affairs of Kyrgyzstan, and the
        # Kyrgyz National University." The article gives the visit's date, not the signing's; the
        # demo takes the signing to be that day, and records the MoUs as one trilateral MoU.
        "reference": "MOU/2024/KTA-KGMIA-KNU",
        "title": {
            "en": "Memorandum of Understanding between the Kostanay Training Academy, the Academy of "
            "the Ministry of Interior Affairs of the Kyrgyz Republic and the Jusup Balasagyn Kyrgyz "
            "National University",
            "ru": "Меморандум о взаимопонимании между Костанайской академией МВД Республики "
            "Казахстан, Академией МВД Кыргызской Республики и Кыргызским национальным "
            "университетом имени Жусупа Баласагына",
        },
        "kind": AgreementKind.MOU,
        "areas": [
            CooperationArea.CAPACITY_BUILDING.value,
            CooperationArea.STAFF_QUALIFICATION.value,
            CooperationArea.JOINT_EDUCATION.value,
        ],
        "signed_place": "Bishkek",
        "effective_from": date(2024, 6, 12),
        # Invented term: five years, renewed automatically unless a party objects.
        "expires_on": date(2029, 6, 12),
        "auto_renew": True,
        "programme": "RFTF-DET-II",
        "notes": (
            "Capacity building, qualification and retraining of academic staff, and joint "
            "educational initiatives on good prison management and preventing radicalization to "
            "violence in prisons. UNODC supports the regional hub (Centre of Regional Excellence) "
            "in Kostanay."
        ),
        "parties": (
            _party("KTA", KTA_HEAD, date(2024, 6, 12)),
            _party("KG-MIA-ACAD", KG_MIA_HEAD, date(2024, 6, 12)),
            _party("KNU", KNU_RECTOR, date(2024, 6, 12)),
            _supporting("UNODC"),
        ),
        "commitments": (
            _commitment(ProgrammeMetric.PARTICIPANTS_TRAINED, 40, YEAR),
            _commitment(ProgrammeMetric.TRAINERS_CERTIFIED, 10, TOTAL),
        ),
        "history": (
            (NEGOTIATION, date(2024, 3, 18), "Draft text sent to the Kyrgyz partners (date invented)."),
            (SIGNED, date(2024, 6, 12), "Signed in Bishkek during the Kostanay delegation's visit."),
            (ACTIVE, date(2024, 6, 12), "In force on signature."),
        ),
    },
    {
        # Seed: "UNODC and the Interior Ministry of Kazakhstan have signed a Country Workplan under
        # the project on 'Support to Police Reform in Kazakhstan'", at the Interior Ministry, after
        # a seminar in Nur-Sultan on 28-30 September, with seminars planned "over the course of
        # 2021-2022". The article gives no signing date: 20 October 2020 is a plausible choice,
        # and the 2021-2022 term follows the article. Past its term, it reads `expired`.
        "reference": "WP/2020/UNODC-KZ-MIA",
        "title": {
            "en": "Country Workplan under the project 'Support to Police Reform in Kazakhstan'",
            "ru": "Страновой план работы в рамках проекта «Поддержка реформы полиции в Казахстане»",
        },
        "kind": AgreementKind.WORKPLAN,
        "areas": [CooperationArea.CAPACITY_BUILDING.value, CooperationArea.STAFF_QUALIFICATION.value],
        "signed_place": "Nur-Sultan",
        "effective_from": date(2021, 1, 1),
        "expires_on": date(2022, 12, 31),
        "programme": "KZ-POLICE-REFORM",
        "notes": (
            "Seminars and workshops with the Interior Ministry on human resources policy, police "
            "training and professional development, and community policing."
        ),
        "parties": (
            _party(
                "UNODC",
                ("Katarina Vogel", "Regional Representative, UNODC Regional Office for Central Asia"),
                date(2020, 10, 20),
            ),
            _party(
                "KZ-MIA",
                ("Daulet Amanzholov", "Deputy Minister of Internal Affairs"),
                date(2020, 10, 20),
            ),
        ),
        "commitments": (
            _commitment(ProgrammeMetric.PARTICIPANTS_TRAINED, 100, TOTAL),
            _commitment(ProgrammeMetric.COHORTS_COMPLETED, 6, TOTAL),
        ),
        "history": (
            (NEGOTIATION, date(2020, 9, 30), "Activities agreed in principle after the HR seminar."),
            (SIGNED, date(2020, 10, 20), "Signed at the Interior Ministry."),
            (ACTIVE, date(2021, 1, 1), "Workplan period begins."),
        ),
    },
    {
        # Invented. Renewed in 2024 by the next entry, which is active: this one reads `superseded`.
        "reference": "MOU/2021/KTA-TJ-GUIUN",
        "title": {
            "en": "Memorandum of Understanding between the Kostanay Training Academy and the Training "
            "Centre of the Main Directorate for the Execution of Criminal Punishments of Tajikistan",
            "ru": "Меморандум о взаимопонимании между Костанайской академией МВД Республики "
            "Казахстан и Учебным центром ГУИУН Министерства юстиции Республики Таджикистан",
        },
        "kind": AgreementKind.MOU,
        "areas": [
            CooperationArea.CAPACITY_BUILDING.value,
            CooperationArea.CURRICULUM_SHARING.value,
            CooperationArea.STAFF_EXCHANGE.value,
        ],
        "signed_place": "Dushanbe",
        "effective_from": date(2021, 11, 18),
        "expires_on": date(2024, 11, 18),
        "programme": "UN-GP-VEP",
        "notes": (
            "Sharing of the three PVE training modules (psychologists, PVE inspectors, security officers)."
        ),
        "parties": (
            _party("KTA", KTA_HEAD, date(2021, 11, 18)),
            _party("TJ-GUIUN-TC", TJ_HEAD, date(2021, 11, 18)),
            _supporting("UNODC"),
        ),
        "commitments": (_commitment(ProgrammeMetric.PARTICIPANTS_TRAINED, 20, YEAR),),
        "history": (
            (NEGOTIATION, date(2021, 6, 1), None),
            (SIGNED, date(2021, 11, 18), "Signed in Dushanbe."),
            (ACTIVE, date(2021, 11, 18), "In force on signature."),
        ),
    },
    {
        # Invented renewal of the previous entry (reference and title as the API's renewal makes
        # them); active, so its predecessor reads `superseded`.
        "reference": "MOU/2021/KTA-TJ-GUIUN-R",
        "predecessor": "MOU/2021/KTA-TJ-GUIUN",
        "title": {
            "en": "Memorandum of Understanding between the Kostanay Training Academy and the Training "
            "Centre of the Main Directorate for the Execution of Criminal Punishments of Tajikistan",
            "ru": "Меморандум о взаимопонимании между Костанайской академией МВД Республики "
            "Казахстан и Учебным центром ГУИУН Министерства юстиции Республики Таджикистан",
        },
        "kind": AgreementKind.MOU,
        "areas": [
            CooperationArea.CAPACITY_BUILDING.value,
            CooperationArea.CURRICULUM_SHARING.value,
            CooperationArea.STAFF_EXCHANGE.value,
        ],
        "signed_place": "Kostanay",
        "effective_from": date(2024, 11, 18),
        "expires_on": date(2027, 11, 18),
        "programme": "RFTF-DET-II",
        "notes": "Renewal for three more years; adds certification of Tajik trainers.",
        "parties": (
            _party("KTA", KTA_HEAD, date(2024, 10, 24)),
            _party("TJ-GUIUN-TC", TJ_HEAD, date(2024, 10, 24)),
            _supporting("UNODC"),
        ),
        "commitments": (
            _commitment(ProgrammeMetric.PARTICIPANTS_TRAINED, 30, YEAR),
            _commitment(ProgrammeMetric.TRAINERS_CERTIFIED, 4, YEAR),
        ),
        "history": (
            (NEGOTIATION, date(2024, 8, 5), None),
            (SIGNED, date(2024, 10, 24), "Signed in Kostanay."),
            (ACTIVE, date(2024, 11, 18), "Takes over from the 2021 MoU on its expiry."),
        ),
    },
    {
        # Invented. Active and ends on 2027-01-31: within 90 days of 2026-11-21.
        "reference": "MOU/2024/KTA-UZ-MIA",
        "title": {
            "en": "Memorandum of Understanding between the Kostanay Training Academy and the Academy "
            "of the Ministry of Internal Affairs of the Republic of Uzbekistan",
            "ru": "Меморандум о взаимопонимании между Костанайской академией МВД Республики "
            "Казахстан и Академией МВД Республики Узбекистан",
        },
        "kind": AgreementKind.MOU,
        "areas": [
            CooperationArea.CAPACITY_BUILDING.value,
            CooperationArea.STAFF_EXCHANGE.value,
            CooperationArea.RESEARCH.value,
        ],
        "signed_place": "Tashkent",
        "effective_from": date(2024, 2, 1),
        "expires_on": date(2027, 1, 31),
        "programme": "RFTF-DET-II",
        "parties": (
            _party("KTA", KTA_HEAD, date(2024, 1, 30)),
            _party("UZ-MIA-ACAD", UZ_HEAD, date(2024, 1, 30)),
        ),
        "commitments": (_commitment(ProgrammeMetric.PARTICIPANTS_TRAINED, 25, YEAR),),
        "history": (
            (NEGOTIATION, date(2023, 10, 2), None),
            (SIGNED, date(2024, 1, 30), "Signed in Tashkent."),
            (ACTIVE, date(2024, 2, 1), None),
        ),
    },
    {
        # Invented: the renewal of the expiring Uzbek MoU, still a draft.
        "reference": "MOU/2024/KTA-UZ-MIA-R",
        "predecessor": "MOU/2024/KTA-UZ-MIA",
        "title": {
            "en": "Memorandum of Understanding between the Kostanay Training Academy and the Academy "
            "of the Ministry of Internal Affairs of the Republic of Uzbekistan",
            "ru": "Меморандум о взаимопонимании между Костанайской академией МВД Республики "
            "Казахстан и Академией МВД Республики Узбекистан",
        },
        "kind": AgreementKind.MOU,
        "areas": [
            CooperationArea.CAPACITY_BUILDING.value,
            CooperationArea.STAFF_EXCHANGE.value,
            CooperationArea.RESEARCH.value,
            CooperationArea.JOINT_EDUCATION.value,
        ],
        "effective_from": date(2027, 1, 31),
        "expires_on": date(2030, 1, 31),
        "programme": "RFTF-DET-II",
        "notes": "Draft renewal; the Uzbek side proposes adding joint education.",
        "parties": (_party("KTA"), _party("UZ-MIA-ACAD")),
        "commitments": (_commitment(ProgrammeMetric.PARTICIPANTS_TRAINED, 30, YEAR),),
        "history": (),
    },
    {
        # Invented follow-up to the June 2024 meeting with the Security and Convoy Service.
        "reference": "MOU/2026/KTA-KG-SCS",
        "title": {
            "en": "Memorandum of Understanding between the Kostanay Training Academy and the Security "
            "and Convoy Service under the Ministry of Justice of the Kyrgyz Republic",
            "ru": "Меморандум о взаимопонимании между Костанайской академией МВД Республики "
            "Казахстан и Службой охраны и конвоирования при Министерстве юстиции Кыргызской "
            "Республики",
        },
        "kind": AgreementKind.MOU,
        "areas": [CooperationArea.STAFF_QUALIFICATION.value, CooperationArea.CURRICULUM_SHARING.value],
        "programme": "RFTF-DET-II",
        "notes": "Training of Kyrgyz security and convoy officers in managing high-risk prisoners.",
        "parties": (_party("KTA"), _party("KG-SCS"), _supporting("UNODC")),
        "commitments": (_commitment(ProgrammeMetric.PARTICIPANTS_TRAINED, 30, YEAR),),
        "history": ((NEGOTIATION, date(2026, 9, 15), "Text exchanged for comments."),),
    },
    {
        # Invented: signed, in force from 2027-01-01.
        "reference": "CA/2026/KTA-KZ-PSC",
        "title": {
            "en": "Cooperation Agreement between the Kostanay Training Academy and the Penal System "
            "Committee on training prison staff in preventing violent extremism",
            "ru": "Соглашение о сотрудничестве между Костанайской академией МВД Республики "
            "Казахстан и Комитетом уголовно-исполнительной системы МВД Республики Казахстан по "
            "подготовке персонала по предупреждению насильственного экстремизма",
        },
        "kind": AgreementKind.COOPERATION_AGREEMENT,
        "areas": [CooperationArea.CAPACITY_BUILDING.value, CooperationArea.STAFF_QUALIFICATION.value],
        "signed_place": "Astana",
        "effective_from": date(2027, 1, 1),
        "expires_on": date(2029, 12, 31),
        "notes": "Courses at the PVE Training Centre and the e-learning course on the Nelson Mandela Rules.",
        "parties": (
            _party("KTA", KTA_HEAD, date(2026, 11, 10)),
            _party("KZ-PSC", ("Yerzhan Kaliyev", "Deputy Chairperson"), date(2026, 11, 10)),
        ),
        "commitments": (
            _commitment(ProgrammeMetric.PARTICIPANTS_TRAINED, 150, YEAR),
            _commitment(ProgrammeMetric.WOMEN_TRAINED, 20, YEAR),
        ),
        "history": (
            (NEGOTIATION, date(2026, 7, 1), None),
            (SIGNED, date(2026, 11, 10), "Signed in Astana; takes effect on 1 January 2027."),
        ),
    },
    {
        # Invented: a letter of intent between two partners, ended by mutual consent.
        "reference": "LOI/2022/KGMIA-TJ-GUIUN",
        "title": {
            "en": "Letter of Intent on distance learning between the Academy of the Ministry of "
            "Interior Affairs of the Kyrgyz Republic and the GUIUN Training Centre of Tajikistan",
            "ru": "Письмо о намерениях в области дистанционного обучения между Академией МВД "
            "Кыргызской Республики и Учебным центром ГУИУН Республики Таджикистан",
        },
        "kind": AgreementKind.LETTER_OF_INTENT,
        "areas": [CooperationArea.JOINT_EDUCATION.value, CooperationArea.OTHER.value],
        "signed_place": "Bishkek",
        "effective_from": date(2022, 4, 1),
        "parties": (
            _party("KG-MIA-ACAD", KG_MIA_HEAD, date(2022, 3, 24)),
            _party("TJ-GUIUN-TC", TJ_HEAD, date(2022, 3, 28)),
        ),
        "history": (
            (NEGOTIATION, date(2022, 1, 20), None),
            (SIGNED, date(2022, 3, 28), "Signed by exchange of letters; the last signature on 28 March."),
            (ACTIVE, date(2022, 4, 1), None),
            (
                TERMINATED,
                date(2024, 9, 30),
                "Ended by mutual consent: both partners now cooperate through the Kostanay regional hub.",
            ),
        ),
    },
)
