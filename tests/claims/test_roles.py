"""Newsroom roles: fact-checkers submit, editors approve, then the page is published."""

import pytest
from django.contrib.auth.models import Group, User
from wagtail.models import Page, Workflow

from claims.models import FactCheckPage, Rating

pytestmark = pytest.mark.django_db


def _user(name, group):
    user = User.objects.create_user(name, password="pw")
    user.groups.add(Group.objects.get(name=group))
    return user


def test_groups_have_sensible_permissions(newsroom):
    checker = _user("checker", "Fact-checkers")
    editor = _user("editor", "Editors")
    home = newsroom["en"]
    assert checker.has_perm("wagtailadmin.access_admin")
    assert home.permissions_for_user(checker).can_add_subpage()
    assert not home.permissions_for_user(checker).can_publish()
    assert home.permissions_for_user(editor).can_publish()
    assert editor.has_perm("claims.change_rating")
    assert not checker.has_perm("claims.change_rating")


def test_factcheck_workflow_needs_editor_approval(newsroom):
    workflow = Workflow.objects.get(name="Fact-check review")
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Editors"]

    checker = _user("checker", "Fact-checkers")
    editor = _user("editor", "Editors")
    index = Page.objects.get(url_path="/home-hr/fact-checks/").specific
    page = FactCheckPage(
        title="Cjepivo ne sadrži čip",
        slug="cjepivo",
        claim_reviewed="Cjepivo sadrži čip",
        summary="Netočno.",
        rating=Rating.objects.get(key="false", locale__language_code="hr"),
        live=False,
    )
    index.add_child(instance=page)
    page.save_revision(user=checker)
    assert page.get_workflow() == workflow
    state = workflow.start(page, checker)
    assert not FactCheckPage.objects.get(pk=page.pk).live
    # A fact-checker cannot approve their own submission; an editor can.
    assert not task.user_can_access_editor(page, checker) or not task.get_actions(page, checker)
    assert ("approve", "Approve", False) in [a[:3] for a in task.get_actions(page, editor)]
    task.on_action(state.current_task_state, editor, "approve")
    page.refresh_from_db()
    assert page.live
