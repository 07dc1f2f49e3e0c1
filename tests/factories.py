"""factory_boy factories for the models, persisted through a session the fixtures provide."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from hub_api.models import ApiClient, Contact, Institution, User
from hub_api.models.enums import InstitutionKind, Role

TEST_PASSWORD = "correct-horse-battery"
# The argon2id hash of TEST_PASSWORD, computed once per run by the `app` fixture.
PASSWORD_HASH = {"value": ""}


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "commit"


class InstitutionFactory(BaseFactory):
    class Meta:
        model = Institution

    code = factory.Sequence(lambda n: f"INST{n:03d}")
    name = factory.LazyAttribute(lambda o: {"en": f"Institution {o.code}", "ru": f"Учреждение {o.code}"})
    kind = InstitutionKind.ACADEMY
    country = "KZ"


class ContactFactory(BaseFactory):
    class Meta:
        model = Contact

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Contact Person {n}")
    position = "Head of international cooperation"
    email = factory.Sequence(lambda n: f"contact{n}@partner.example")
    roles = factory.LazyFunction(lambda: ["focal_point"])


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@hub.example")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password_hash = factory.LazyFunction(lambda: PASSWORD_HASH["value"])
    role = Role.ANALYST
    is_active = True


class ApiClientFactory(BaseFactory):
    class Meta:
        model = ApiClient

    client_id = factory.Sequence(lambda n: f"hub_testclient{n:04d}")
    name = factory.Sequence(lambda n: f"Partner LMS {n}")
    secret_hash = factory.LazyFunction(lambda: PASSWORD_HASH["value"])
    scopes = factory.LazyFunction(lambda: ["catalogue:read"])


ALL_FACTORIES = (InstitutionFactory, ContactFactory, UserFactory, ApiClientFactory)
