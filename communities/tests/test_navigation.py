"""The navigation is a table in Python (MENU_FOR_ROLE, beside HOME_FOR_ROLE),
rendered by the template; a page of a step is offered only to a role that
takes that step."""

import pytest
from django.urls import reverse

from cases.permissions import role_may_take
from communities.models import Role
from communities.views import HOME_FOR_ROLE, MENU_FOR_ROLE, menu_entries, menu_for

ROLE_USERS = {
    Role.CLERK: "clerk",
    Role.OFFICER: "officer_a",
    Role.SECRETARY: "secretary_a",
    Role.CHIEF: "chief_a",
    Role.LEADER: "leader",
    Role.SUPERVISOR: "supervisor",
    Role.DISPLAY: "display",
}


def test_every_role_has_a_menu_and_every_home_is_in_its_roles_menu():
    assert set(MENU_FOR_ROLE) == set(Role)
    for role, home in HOME_FOR_ROLE.items():
        assert home in [item.url_name for item in MENU_FOR_ROLE[role]], role


def test_a_step_page_is_in_the_menu_of_exactly_the_roles_that_take_the_step():
    for role, items in MENU_FOR_ROLE.items():
        for item in items:
            if item.action is not None:
                assert role_may_take(role, item.action), (role, item.label)
    offered = {role for role, items in MENU_FOR_ROLE.items() if any(i.url_name == "extension-list" for i in items)}
    assert offered == {role for role in Role if role_may_take(role, "decide_extension")}


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_the_page_shows_the_roles_menu_in_order(org, client, role):
    user = getattr(org, ROLE_USERS[role])
    client.force_login(user)
    html = client.get(reverse("case-search") if role != Role.DISPLAY else "/board/").content.decode()
    menu = menu_for(user=user)
    assert [item["label"] for item in menu] == [item.label for item in MENU_FOR_ROLE[role]]
    if role == Role.DISPLAY:
        return  # the lobby board has no navigation bar
    positions = [html.index(f'href="{item["url"]}">{item["label"]}</a>') for item in menu]
    assert positions == sorted(positions)


def test_the_current_page_is_marked_and_the_clerks_callbacks_are_the_closed_cases(org, client):
    client.force_login(org.clerk)
    html = client.get(reverse("case-queue")).content.decode()
    assert f'class="nav-link active" aria-current="page" href="{reverse("case-queue")}"' in html
    assert f'href="{reverse("case-search")}?status=closed">待回访</a>' in html


def test_an_account_without_a_role_sees_only_the_administration_links(db, django_user_model):
    admin = django_user_model.objects.create_user("admin-only", password="x", is_staff=True)
    assert [item["label"] for item in menu_for(user=admin)] == ["管理后台", "API 文档"]


def test_a_group_the_role_has_two_or_more_of_is_one_drop_down_and_the_home_stays_on_the_bar(org, client):
    client.force_login(org.supervisor)
    menu = menu_for(user=org.supervisor, path=reverse("supervision-ladder"))
    entries = menu_entries(menu)
    # The supervisor's home (超期案件) is on the bar, the rest of 督查督办 in one drop-down.
    labels = [entry["label"] for entry in entries]
    assert labels[0] == "超期案件"
    group = next(entry for entry in entries if entry.get("children"))
    assert group["label"] == "督查督办" and group["active"]
    assert [item["label"] for item in group["children"]] == ["催办督办", "督查检查", "时限看板"]
    # Every item of the menu is offered exactly once, grouped or not.
    flat = [item["label"] for entry in entries for item in entry.get("children", [entry])]
    assert sorted(flat) == sorted(item["label"] for item in menu)
    html = client.get(reverse("supervision-ladder")).content.decode()
    assert 'data-bs-toggle="dropdown"' in html
    assert f'class="dropdown-item active" aria-current="page" href="{reverse("supervision-ladder")}"' in html


def test_a_single_item_of_a_group_stands_on_the_bar(org):
    # An officer's one analysis page (the board) is not put in a drop-down of its own.
    entries = menu_entries(menu_for(user=org.officer_a))
    assert "红黑榜" in [entry["label"] for entry in entries]
    assert "分析研判" not in [entry["label"] for entry in entries]
