"""The organisation's admin pages keep the rules the services keep."""

from communities.models import Pairing, Street


def test_a_second_street_cannot_be_added(admin_client, org):
    # One installation serves one street office.
    assert admin_client.get("/admin/communities/street/add/").status_code == 403
    assert Street.objects.count() == 1


def test_the_first_street_can_be_added(admin_client, db):
    response = admin_client.post("/admin/communities/street/add/", {"name": "望和街道", "district": "朝阳区"})
    assert response.status_code == 302
    assert Street.objects.get().name == "望和街道"


def test_a_pairing_with_cases_keeps_its_units(admin_client, org, walk):
    walk.dispatched()
    url = f"/admin/communities/pairing/{org.pairing_a.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="community"' not in page and 'name="department"' not in page
    response = admin_client.post(
        url,
        {
            "community": org.b.pk,
            "department": org.d2.pk,
            "chief": org.chief_a.pk,
            "is_active": "on",
            "chief_terms-TOTAL_FORMS": "0",
            "chief_terms-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    pairing = Pairing.objects.get(pk=org.pairing_a.pk)
    assert (pairing.community, pairing.department) == (org.a, org.d1)


def test_a_chief_of_another_department_is_refused_on_a_pairing_with_cases(admin_client, org, walk):
    walk.dispatched()  # the department is now read-only on the form
    response = admin_client.post(
        f"/admin/communities/pairing/{org.pairing_a.pk}/change/",
        {"chief": org.chief_b.pk, "is_active": "on", "chief_terms-TOTAL_FORMS": "0", "chief_terms-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "包片科长须是该科室的科长" in response.content.decode()
    assert Pairing.objects.get(pk=org.pairing_a.pk).chief == org.chief_a


def test_a_pairing_without_cases_can_still_be_corrected(admin_client, org):
    assert (
        'name="community"'
        in admin_client.get(f"/admin/communities/pairing/{org.pairing_b.pk}/change/").content.decode()
    )


def test_the_chief_of_a_pairing_with_open_cases_cannot_be_removed(admin_client, org, walk):
    walk.dispatched()
    response = admin_client.post(
        f"/admin/communities/pairing/{org.pairing_a.pk}/change/",
        {"chief": "", "is_active": "on", "chief_terms-TOTAL_FORMS": "0", "chief_terms-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "不能取消包片科长" in response.content.decode()
    assert Pairing.objects.get(pk=org.pairing_a.pk).chief == org.chief_a
