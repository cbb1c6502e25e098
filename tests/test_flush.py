"""After a transactional test's flush the next test still finds what Wagtail's migrations made: the
page tree's root, the default locale, the root collection and the default Site (tests/conftest.py)."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_flush_leaves_wagtails_root_locale_collection_and_site():
    from wagtail.models import Collection, Locale, Page, Site

    call_command("flush", interactive=False, verbosity=0)  # what TransactionTestCase does after a test

    root = Page.get_first_root_node()
    assert root is not None and root.depth == 1
    assert Locale.get_default().pk is not None
    assert Collection.get_first_root_node() is not None
    assert Site.objects.get(is_default_site=True).root_page_id == root.pk
    # A factory can hang a page off the root at once, as before any flush.
    assert root.add_child(instance=Page(title="After the flush", slug="after-the-flush")).depth == 2
