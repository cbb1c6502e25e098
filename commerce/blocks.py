"""StreamField blocks editors use to compose market pages: chosen products, a category, a producer."""

from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class ProductsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False)
    products = blocks.ListBlock(SnippetChooserBlock("catalogue.Product"), min_num=1)

    class Meta:
        icon = "pick"
        template = "commerce/blocks/products.html"

    def get_context(self, value, parent_context=None):
        from commerce.selectors import products_for_cards

        context = super().get_context(value, parent_context)
        chosen = [product.pk for product in value["products"] if product]
        by_pk = {product.pk: product for product in products_for_cards(pk__in=chosen)}
        context["products"] = [by_pk[pk] for pk in chosen if pk in by_pk]  # the editor's order
        return context


class CategoryBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False)
    category = SnippetChooserBlock("catalogue.Category")
    limit = blocks.IntegerBlock(default=8, min_value=1, max_value=48)

    class Meta:
        icon = "folder-open-inverse"
        template = "commerce/blocks/products.html"

    def get_context(self, value, parent_context=None):
        from commerce.selectors import products_for_cards

        context = super().get_context(value, parent_context)
        category = value["category"]
        context["more_url"] = category.get_absolute_url() if category else None
        context["heading"] = value["heading"] or (category.name if category else "")
        context["products"] = (
            list(products_for_cards(categories__in=category.get_descendants_and_self())[: value["limit"]])
            if category
            else []
        )
        return context


class ProducerBlock(blocks.StructBlock):
    producer = SnippetChooserBlock("partner.Partner")
    limit = blocks.IntegerBlock(default=4, min_value=1, max_value=24)

    class Meta:
        icon = "group"
        template = "commerce/blocks/producer.html"

    def get_context(self, value, parent_context=None):
        from commerce.selectors import producer_page_for, products_by_producer

        context = super().get_context(value, parent_context)
        producer = value["producer"]
        context["producer_page"] = producer_page_for(producer) if producer else None
        context["products"] = list(products_by_producer(producer)[: value["limit"]]) if producer else []
        return context


class MarketStreamBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=["h2", "h3", "bold", "italic", "link", "ul", "ol"], icon="doc-full")
    products = ProductsBlock()
    category = CategoryBlock()
    producer = ProducerBlock()
