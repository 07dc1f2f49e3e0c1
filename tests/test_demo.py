import pytest
import sqlalchemy as sa

from hub_api.demo.institutions import DEMO_ACCOUNTS, INSTITUTIONS
from hub_api.demo.loader import load_demo, reset_demo_accounts
from hub_api.extensions import db
from hub_api.models import AuditEvent, Contact, Institution, User
from hub_api.models.enums import Role
from hub_api.schemas.contacts import ContactSchema
from hub_api.schemas.institutions import InstitutionSchema
from tests.helpers import bearer, login, row_count

DEMO_PASSWORD = "demo-password-for-tests"
DEMO_CODES = {
    "KTA",
    "KTA-PVE",
    "KG-MIA-ACAD",
    "KNU",
    "KG-SCS",
    "KZ-PSC",
    "UNODC",
    "UNOCT",
    "EU",
    "NL-GOV",
    "NIKA",
}
# People the source articles name; none of them may be a demo contact or account.
REAL_PEOPLE = [
    "Darmenov",
    "Mukanov",
    "Dzhanuzakov",
    "Abdyrakhmanov",
    "Fedotova",
    "Zafari",
    "Mektepbayeva",
    "Zhaubasarova",
    "Telenkov",
    "Baimukashev",
    "O'Brien",
    "O\u2019Brien",
    "Sidorov",
]


def load(app) -> str:
    with app.app_context():
        summary = load_demo()
        db.session.commit()
    return summary


def reset(app, password=DEMO_PASSWORD) -> list[tuple[str, str]]:
    with app.app_context():
        accounts = reset_demo_accounts(password)
        db.session.commit()
    return accounts


def find(client, admin, q: str) -> list[dict]:
    response = client.get("/api/v1/institutions", query_string={"q": q}, headers=admin.headers)
    assert response.status_code == 200, response.json
    return response.json


def snapshot(dbs) -> dict:
    """Every demo-relevant row's identity and version, to compare across runs."""
    dbs.expire_all()
    institutions = {
        i.code: (i.id, i.version, i.updated_at, i.parent_id, i.name, i.external_ids)
        for i in dbs.scalars(sa.select(Institution))
    }
    contacts = {
        (c.institution_id, c.name): (c.id, c.version, c.updated_at, c.roles)
        for c in dbs.scalars(sa.select(Contact))
    }
    return {"institutions": institutions, "contacts": contacts}


@pytest.mark.parametrize(
    ("query", "code", "en_part", "ru_part"),
    [
        ("Kostanay Training", "KTA", "Kostanay Training Academy", "Костанайская академия"),
        ("Preventing Violent", "KTA-PVE", "Preventing Violent Extremism", "экстремизма"),
        ("Академия Министерства внутренних", "KG-MIA-ACAD", "Interior Affairs", "Кыргызской"),
        ("Balasagyn", "KNU", "Kyrgyz National University", "Баласагына"),
        ("Convoy", "KG-SCS", "Security and Convoy Service", "конвоирования"),
        ("уголовно-исполнительной", "KZ-PSC", "Penal System Committee", "Комитет"),
        ("Drugs and Crime", "UNODC", "United Nations Office on Drugs", "наркотикам"),
        ("Counter-Terrorism", "UNOCT", "Counter-Terrorism", "Контртеррористическое"),
        ("European Union", "EU", "European Union", "Европейский союз"),
        ("Нидерландов", "NL-GOV", "Netherlands", "Нидерландов"),
        ("NIKA", "NIKA", "Communicative Development", "НИКА"),
    ],
)
def test_named_institution_is_found_with_english_and_russian_names(
    app, client, admin, query, code, en_part, ru_part
):
    load(app)
    found = find(client, admin, query)
    assert [i["code"] for i in found] == [code]
    assert en_part in found[0]["name"]["en"]
    assert ru_part in found[0]["name"]["ru"]


def test_every_demo_institution_has_english_and_russian_names(app, client, admin):
    assert load(app).startswith("11 institutions, 12 contacts")
    response = client.get("/api/v1/institutions?page_size=100", headers=admin.headers)
    assert response.status_code == 200
    listed = {i["code"]: i for i in response.json}
    assert set(listed) == DEMO_CODES
    for code, institution in listed.items():
        assert institution["name"].get("en"), code
        assert institution["name"].get("ru"), code
        assert institution["status"] == "active"


def test_kinds_and_countries(app, client, admin):
    load(app)
    response = client.get("/api/v1/institutions?page_size=100", headers=admin.headers)
    facts = {i["code"]: (i["kind"], i["country"]) for i in response.json}
    assert facts["KTA"] == ("academy", "KZ")
    assert facts["KNU"] == ("university", "KG")
    assert facts["KG-SCS"] == ("penitentiary_service", "KG")
    assert facts["KZ-PSC"] == ("penitentiary_service", "KZ")
    assert facts["UNODC"] == ("international_organisation", "AT")
    assert facts["UNOCT"] == ("international_organisation", "US")
    assert facts["EU"] == ("donor", "BE")
    assert facts["NL-GOV"] == ("donor", "NL")
    assert facts["NIKA"] == ("ngo", "KZ")
    kta = next(i for i in response.json if i["code"] == "KTA")
    assert kta["city"] == "Kostanay"
    assert kta["region"] == "Kostanay Region"
    assert kta["external_ids"]["unodc_partner_registry"]
    assert "kk" in kta["name"]


def test_pve_centre_is_a_sub_unit_of_kta(app, client, admin):
    load(app)
    kta = find(client, admin, "KTA")
    kta_id = next(i["id"] for i in kta if i["code"] == "KTA")
    response = client.get(f"/api/v1/institutions?parent_id={kta_id}", headers=admin.headers)
    assert response.status_code == 200
    assert [i["code"] for i in response.json] == ["KTA-PVE"]
    assert response.json[0]["parent_id"] == kta_id
    assert next(i for i in kta if i["code"] == "KTA")["parent_id"] is None


def test_contacts_have_roles_and_are_invented(app, client, admin, dbs):
    load(app)
    kta_id = dbs.scalar(sa.select(Institution.id).where(Institution.code == "KTA"))
    response = client.get(f"/api/v1/institutions/{kta_id}/contacts?role=signatory", headers=admin.headers)
    assert response.status_code == 200
    assert len(response.json) == 1
    assert "head" in response.json[0]["roles"]
    assert response.json[0]["position"] == "Head of the Academy"

    contacts = dbs.scalars(sa.select(Contact)).all()
    assert len(contacts) == 12
    with_contacts = {c.institution_id for c in contacts}
    for code in ("KTA", "KTA-PVE", "KG-MIA-ACAD", "KNU", "KG-SCS", "KZ-PSC"):
        institution_id = dbs.scalar(sa.select(Institution.id).where(Institution.code == code))
        assert institution_id in with_contacts, code
    for contact in contacts:
        assert contact.roles, contact.name
        assert contact.email is None or contact.email.endswith(".example"), contact.email
        for surname in REAL_PEOPLE:
            assert surname.casefold() not in contact.name.casefold()


def test_demo_accounts_do_not_name_real_people():
    for email, full_name, _role, _code in DEMO_ACCOUNTS:
        assert email.endswith(".example")
        for surname in REAL_PEOPLE:
            assert surname.casefold() not in full_name.casefold()


def test_data_set_passes_the_api_validation():
    for entry in INSTITUTIONS:
        body = {k: v for k, v in entry.items() if k not in ("parent", "contacts")}
        body["kind"] = body["kind"].value
        assert InstitutionSchema().validate(body) == {}, entry["code"]
        for contact in entry.get("contacts", ()):
            assert ContactSchema().validate(dict(contact)) == {}, contact["name"]


def test_loading_twice_changes_nothing(app, dbs):
    first = load(app)
    assert first == "11 institutions, 12 contacts (23 added, 0 updated)"
    before = snapshot(dbs)
    audit_before = row_count(dbs, AuditEvent)
    assert len(before["institutions"]) == 11
    assert len(before["contacts"]) == 12

    second = load(app)

    assert second == "11 institutions, 12 contacts (0 added, 0 updated)"
    after = snapshot(dbs)
    assert after == before
    assert row_count(dbs, AuditEvent) == audit_before


def test_refresh_restores_edited_data_and_keeps_ids_and_other_rows(app, dbs):
    load(app)
    kta = dbs.scalar(sa.select(Institution).where(Institution.code == "KTA"))
    pve = dbs.scalar(sa.select(Institution).where(Institution.code == "KTA-PVE"))
    kta_id, pve_id = kta.id, pve.id
    kta.name = {"en": "Renamed"}
    kta.website = "https://renamed.example"
    pve.parent_id = None
    head = dbs.scalar(
        sa.select(Contact).where(Contact.institution_id == kta_id, Contact.name == "Bolat Yesimkhanov")
    )
    head_id = head.id
    head.roles = ["other"]
    dbs.delete(dbs.scalar(sa.select(Contact).where(Contact.name == "Aigerim Tulegenova")))
    dbs.add(Contact(institution_id=kta_id, name="Someone Added By Hand", roles=["trainer"]))
    dbs.add(Institution(code="OTHER", name={"en": "Not demo"}, kind="other", country="KZ"))
    dbs.commit()

    summary = load(app)

    assert summary == "11 institutions, 12 contacts (1 added, 3 updated)"
    dbs.expire_all()
    kta = dbs.get(Institution, kta_id)
    assert kta.name["en"] == "Kostanay Training Academy"
    assert kta.name["ru"].startswith("Костанайская академия")
    assert kta.website is None
    assert dbs.get(Institution, pve_id).parent_id == kta_id
    assert dbs.get(Contact, head_id).roles == ["head", "signatory"]
    names = set(dbs.scalars(sa.select(Contact.name).where(Contact.institution_id == kta_id)))
    assert names == {"Bolat Yesimkhanov", "Aigerim Tulegenova", "Someone Added By Hand"}
    assert dbs.scalar(sa.select(Institution).where(Institution.code == "OTHER")) is not None
    assert row_count(dbs, Institution) == 12


def test_demo_accounts_sign_in_with_their_roles(app, client, dbs):
    load(app)
    accounts = reset(app)
    assert accounts == [(email, role.value) for email, _, role, _ in DEMO_ACCOUNTS]
    assert {role for _, role in accounts} == {"hub_admin", "coordinator", "analyst"}
    kta_id = dbs.scalar(sa.select(Institution.id).where(Institution.code == "KTA"))
    for email, role in accounts:
        signed_in = login(client, email, DEMO_PASSWORD)
        assert signed_in.status_code == 200, signed_in.json
        token = signed_in.json["access_token"]
        me = client.get("/api/v1/auth/me", headers=bearer(token))
        assert me.status_code == 200
        assert me.json["email"] == email
        assert me.json["role"] == role
        assert me.json["institution_id"] == (kta_id if role == "coordinator" else None)
        assert login(client, email, "not-the-demo-password").status_code == 401


def test_resetting_twice_keeps_accounts_and_sessions(app, client, dbs):
    load(app)
    reset(app)
    hashes = dict(dbs.execute(sa.select(User.email, User.password_hash)).all())
    token = login(client, "admin@demo-hub.example", DEMO_PASSWORD).json["access_token"]

    reset(app)

    dbs.expire_all()
    assert dict(dbs.execute(sa.select(User.email, User.password_hash)).all()) == hashes
    me = client.get("/api/v1/auth/me", headers=bearer(token))
    assert me.status_code == 200


def test_reset_reenables_a_disabled_account(app, client, admin):
    load(app)
    reset(app)
    users = client.get("/api/v1/users", query_string={"q": "coordinator@demo-hub"}, headers=admin.headers)
    assert users.status_code == 200
    [coordinator] = users.json
    disabled = client.patch(
        f"/api/v1/users/{coordinator['id']}", json={"is_active": False}, headers=admin.headers
    )
    assert disabled.status_code == 200, disabled.json
    assert disabled.json["is_active"] is False
    assert login(client, "coordinator@demo-hub.example", DEMO_PASSWORD).status_code == 401

    reset(app)

    signed_in = login(client, "coordinator@demo-hub.example", DEMO_PASSWORD)
    assert signed_in.status_code == 200, signed_in.json


def test_reset_restores_role_and_new_password_ends_old_sessions(app, client, dbs):
    load(app)
    reset(app, "first-demo-password")
    old_token = login(client, "admin@demo-hub.example", "first-demo-password").json["access_token"]
    admin_user = dbs.scalar(sa.select(User).where(User.email == "admin@demo-hub.example"))
    admin_user.role = Role.ANALYST
    dbs.commit()

    reset(app, "second-demo-password")

    assert login(client, "admin@demo-hub.example", "first-demo-password").status_code == 401
    signed_in = login(client, "admin@demo-hub.example", "second-demo-password")
    assert signed_in.status_code == 200
    headers = bearer(signed_in.json["access_token"])
    assert client.get("/api/v1/auth/me", headers=headers).json["role"] == "hub_admin"
    stale = client.get("/api/v1/auth/me", headers=bearer(old_token))
    assert stale.status_code == 401


def test_reset_rejects_a_short_password_and_needs_the_institutions(app, engine):
    with app.app_context():
        with pytest.raises(ValueError, match="12"):
            reset_demo_accounts("short")
        with pytest.raises(LookupError, match="KTA"):
            reset_demo_accounts(DEMO_PASSWORD)
        db.session.rollback()
