"""The market's Wagtail pages: a MarketPage editors compose from product blocks, and ProducerPages."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from commerce.blocks import MarketStreamBlock


class MarketPage(Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    body = StreamField(MarketStreamBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["commerce.ProducerPage"]
    max_count = 1

    # Federated from @market when an editor publishes it (settings.SOCIAL_FEDERATED_PAGE_MODELS).
    def federation_object_key(self) -> str:
        from commerce.federation import market_page_object_key

        return market_page_object_key(self)

    def federation_payload(self) -> dict:
        from commerce.federation import market_page_payload

        return market_page_payload(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["producer_pages"] = ProducerPage.objects.live().child_of(self).select_related("partner")
        return context


class ProducerPage(Page):
    partner = models.OneToOneField(
        "partner.Partner",
        on_delete=models.PROTECT,
        related_name="producer_page",
        help_text="The partner in the shop whose products this producer sells.",
    )
    intro = models.CharField(max_length=255, blank=True)
    body = RichTextField(blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    location = models.CharField(max_length=120, blank=True, help_text="Where the producer is based.")
    sells_at = models.CharField(
        max_length=255,
        blank=True,
        help_text='Where to find them in person, e.g. "Hebden Bridge market, Saturdays 9–3".',
    )

    content_panels = Page.content_panels + [
        FieldPanel("partner"),
        FieldPanel("intro"),
        FieldPanel("location"),
        FieldPanel("sells_at"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]

    # Found by the site search (sitesearch/) by what they make, where they are and where they sell.
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("location"),
        index.SearchField("sells_at"),
    ]

    parent_page_types = ["commerce.MarketPage"]
    subpage_types: list[str] = []

    def get_context(self, request, *args, **kwargs):
        from commerce.selectors import products_by_producer

        context = super().get_context(request, *args, **kwargs)
        context["products"] = products_by_producer(self.partner_id)
        return context
