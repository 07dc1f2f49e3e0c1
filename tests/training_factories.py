"""factory_boy factories for curricula, cohorts, participants and enrolments, as the API stores them."""

from datetime import UTC, date, datetime
from decimal import Decimal

import factory

from hub_api.models import Cohort, CohortSession, Curriculum, CurriculumModule, Enrolment, Participant
from hub_api.models.enums import (
    CohortKind,
    CohortStatus,
    CurriculumStatus,
    DeliveryMode,
    EnrolmentStatus,
    Gender,
    StaffCategory,
)
from tests.factories import BaseFactory, InstitutionFactory

PUBLISHED_AT = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


class PublishedCurriculumFactory(BaseFactory):
    class Meta:
        model = Curriculum

    code = factory.Sequence(lambda n: f"CURR-{n:03d}")
    number = 1
    title = factory.LazyAttribute(lambda o: {"en": f"Curriculum {o.code}", "ru": f"Программа {o.code}"})
    owner_institution_id = factory.LazyFunction(lambda: InstitutionFactory().id)
    status = CurriculumStatus.PUBLISHED
    published_at = PUBLISHED_AT
    modules = factory.LazyFunction(
        lambda: [
            CurriculumModule(position=1, title={"en": "Module 1"}, hours=Decimal("8"), learning_outcomes=[])
        ]
    )


class CohortFactory(BaseFactory):
    """A cohort; `seats_taken` must be kept equal to its seat-holding enrolments by the caller."""

    class Meta:
        model = Cohort

    code = factory.Sequence(lambda n: f"COH-{n:03d}")
    title = factory.LazyAttribute(lambda o: {"en": f"Cohort {o.code}", "ru": f"Группа {o.code}"})
    kind = CohortKind.COURSE
    status = CohortStatus.OPEN
    curriculum_id = factory.LazyFunction(lambda: PublishedCurriculumFactory().id)
    host_institution_id = factory.LazyFunction(lambda: InstitutionFactory().id)
    delivery_mode = DeliveryMode.IN_PERSON
    country = "KZ"
    city = "Kostanay"
    language = "ru"
    starts_on = date(2026, 3, 2)
    ends_on = date(2026, 3, 13)
    capacity = 20
    seats_taken = 0
    seat_allocations = factory.LazyFunction(list)


class ParticipantRowFactory(BaseFactory):
    class Meta:
        model = Participant

    institution_id = factory.LazyFunction(lambda: InstitutionFactory().id)
    external_ref = factory.Sequence(lambda n: f"REF-{n:05d}")
    given_name = factory.Sequence(lambda n: f"Айгерим{n}")
    family_name = factory.Sequence(lambda n: f"Сапарова{n}")
    gender = Gender.FEMALE
    staff_category = StaffCategory.PSYCHOLOGIST
    region = "Kostanay"
    email = factory.Sequence(lambda n: f"officer{n}@service.example")
    is_trainer = False


class SessionFactory(BaseFactory):
    class Meta:
        model = CohortSession

    cohort_id = factory.LazyFunction(lambda: CohortFactory().id)
    starts_at = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    ends_at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    topic = "Introduction"
    mode = DeliveryMode.IN_PERSON


ALL = (PublishedCurriculumFactory, CohortFactory, ParticipantRowFactory, SessionFactory)


def enrol(session, cohort: Cohort, participant: Participant, status=EnrolmentStatus.ENROLLED) -> Enrolment:
    """Store an enrolment and keep the cohort's and the allocation's seat counters true."""
    enrolment = Enrolment(
        cohort_id=cohort.id,
        participant_id=participant.id,
        institution_id=participant.institution_id,
        status=status,
        status_changed_at=datetime.now(UTC),
    )
    session.add(enrolment)
    if status is not EnrolmentStatus.WITHDRAWN:
        cohort.seats_taken += 1
        for allocation in cohort.seat_allocations:
            if allocation.institution_id == participant.institution_id:
                allocation.seats_taken += 1
    session.commit()
    return enrolment
