"""The demo programmes: the donor-funded projects the source articles name, as plain data.

Names, donors and implementers come from the articles. The articles give no programme periods
and only one set of numbers ("56 trained (11% women), 150 more slated"); every other period and
target below is a plausible invention, marked as such.
"""

from datetime import date

from hub_api.models.enums import ProgrammeMetric

# Each entry: the Programme fields by name, plus `donors` and `implementers` (institution codes
# from the demo institutions) and `targets` ({metric: target}). Omitted optional fields are
# cleared on refresh, and so are donors, implementers or targets the entry does not list.
PROGRAMMES: tuple[dict, ...] = (
    {
        "code": "UN-GP-VEP",
        "name": {
            "en": "Joint UN Global Programme on Supporting the Management of Violent Extremist "
            "Prisoners and the Prevention of Radicalization to Violence in Prisons",
            "ru": "Совместная глобальная программа ООН по содействию управлению заключёнными — "
            "насильственными экстремистами и предупреждению радикализации к насилию в тюрьмах",
        },
        "description": (
            "Joint UNODC-UNOCT/UNCCT-UNCTED initiative co-funded by the European Union, the "
            "Government of the Netherlands and UNOCT. In Kazakhstan it set up the Prison Staff "
            "Training Centre on Preventing Violent Extremism at the Kostanay academy, trained its "
            "national trainers, and rolled out the e-learning course on the Nelson Mandela Rules "
            "(more than 500 prison officers) and webinars for the Prison Committee."
        ),
        # Invented period: the articles (2020) describe the programme as running.
        "starts_on": date(2017, 1, 1),
        "ends_on": date(2025, 12, 31),
        "donors": ("EU", "NL-GOV", "UNOCT"),
        "implementers": ("UNODC", "UNOCT"),
        "targets": {
            # "56 (11% women) with another 150 slated": 56 + 150 = 206 officers, 11% women.
            ProgrammeMetric.PARTICIPANTS_TRAINED: 206,
            ProgrammeMetric.WOMEN_TRAINED: 23,
            # Invented: three batches ran by mid-2020; more were planned for the year.
            ProgrammeMetric.COHORTS_COMPLETED: 10,
            ProgrammeMetric.TRAINERS_CERTIFIED: 15,
        },
    },
    {
        "code": "RFTF-DET-II",
        "name": {
            "en": "RFTF Detention Program Phase II",
            "ru": "Программа по обращению с возвращающимися иностранными боевиками-террористами "
            "в местах лишения свободы (RFTF Detention), этап II",
        },
        "description": (
            "Implemented by UNODC and funded by the Bureau of Counterterrorism of the U.S. "
            "Department of State. Enhances the capacity of government agencies to mitigate threats "
            "posed by returning foreign terrorist fighters and terrorist prisoners; supports the "
            "regional hub at the Kostanay Training Academy."
        ),
        # Invented period and targets: the article (June 2024) gives none.
        "starts_on": date(2023, 1, 1),
        "ends_on": date(2027, 12, 31),
        "donors": ("US-DOS-CT",),
        "implementers": ("UNODC",),
        "targets": {
            ProgrammeMetric.PARTICIPANTS_TRAINED: 300,
            ProgrammeMetric.WOMEN_TRAINED: 45,
            ProgrammeMetric.COHORTS_COMPLETED: 12,
            ProgrammeMetric.TRAINERS_CERTIFIED: 20,
        },
    },
    {
        "code": "KZ-POLICE-REFORM",
        "name": {
            "en": "Support to Police Reform in Kazakhstan",
            "ru": "Поддержка реформы полиции в Казахстане",
        },
        "description": (
            "UNODC project funded by the U.S. Department of State's Bureau of International "
            "Narcotics and Law Enforcement Affairs (INL): human resources policy, police training "
            "and professional development, and community policing, with the Interior Ministry "
            "of Kazakhstan under a Country Workplan."
        ),
        # The article plans seminars "over the course of 2021-2022"; the start is invented.
        "starts_on": date(2020, 1, 1),
        "ends_on": date(2022, 12, 31),
        "donors": ("US-DOS-INL",),
        "implementers": ("UNODC",),
        "targets": {
            # Invented, in line with "more than 20 representatives" per seminar.
            ProgrammeMetric.PARTICIPANTS_TRAINED: 200,
            ProgrammeMetric.WOMEN_TRAINED: 40,
            ProgrammeMetric.COHORTS_COMPLETED: 8,
        },
    },
)
