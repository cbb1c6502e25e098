"""Factories for accounts: members, newsletter lists and subscriptions, OAuth clients."""

import factory
from oauth2_provider.models import get_application_model

from accounts.models import NewsletterIssue, NewsletterList, Subscription, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    first_name = "Mina"
    last_name = factory.Sequence(lambda n: f"Member{n}")
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class NewsletterListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterList

    name = factory.Sequence(lambda n: f"Newsletter {n}")
    slug = factory.Sequence(lambda n: f"newsletter-{n}")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    newsletter = factory.SubFactory(NewsletterListFactory)
    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    status = Subscription.Status.ACTIVE


class NewsletterIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterIssue

    newsletter = factory.SubFactory(NewsletterListFactory)


def oauth_client(*, redirect_uri: str, skip_authorization: bool = False, name: str = "Sibling app"):
    """A confidential authorization-code client; returns (application, plaintext secret)."""
    Application = get_application_model()
    secret = "s3cret-" + "x" * 40
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        client_secret=secret,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=skip_authorization,
        hash_client_secret=True,
    )
    return application, secret


def wagtail_page(title: str):
    """A plain published Wagtail page to compose an issue from."""
    from django.utils.text import slugify
    from wagtail.models import Page

    return Page.get_first_root_node().add_child(instance=Page(title=title, slug=slugify(title)))
