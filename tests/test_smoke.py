def test_admin_creates_and_lists_institution(client, admin):
    created = client.post(
        "/api/v1/institutions",
        json={"code": "KTA", "name": {"en": "Kostanay"}, "kind": "academy", "country": "KZ"},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.json
    listed = client.get("/api/v1/institutions", headers=admin.headers)
    assert [i["code"] for i in listed.json] == ["KTA"]
