"""Demo catalogue: a producer, a category and a few products with stock."""

from decimal import Decimal

from django.apps import apps
from django.core.management import call_command
from haystack.management.commands.update_index import Command as HaystackUpdateIndex

DEMO_PRODUCTS = [
    # upc, title, price, stock
    ("RA-HONEY-340", "Wildflower honey (340 g)", Decimal("7.50"), 40),
    ("RA-BREAD-SOUR", "Sourdough loaf", Decimal("4.20"), 25),
    ("RA-EGGS-6", "Free-range eggs (half dozen)", Decimal("3.10"), 60),
]


def seed() -> str:
    ProductClass = apps.get_model("catalogue", "ProductClass")
    Product = apps.get_model("catalogue", "Product")
    Category = apps.get_model("catalogue", "Category")
    ProductCategory = apps.get_model("catalogue", "ProductCategory")
    Partner = apps.get_model("partner", "Partner")
    StockRecord = apps.get_model("partner", "StockRecord")

    food, _ = ProductClass.objects.get_or_create(name="Food", defaults={"requires_shipping": True})
    category = Category.objects.filter(name="Pantry").first() or Category.add_root(
        name="Pantry", slug="pantry"
    )
    producer, _ = Partner.objects.get_or_create(name="Hillside Farm")
    created = 0
    for upc, title, price, stock in DEMO_PRODUCTS:
        product, was_created = Product.objects.get_or_create(
            upc=upc, defaults={"title": title, "product_class": food, "is_public": True}
        )
        created += was_created
        ProductCategory.objects.get_or_create(product=product, category=category)
        StockRecord.objects.get_or_create(
            product=product,
            partner=producer,
            defaults={"partner_sku": upc, "price": price, "num_in_stock": stock, "price_currency": "GBP"},
        )
    # Wagtail's own update_index command shadows Haystack's by name, so call Haystack's class directly.
    call_command(HaystackUpdateIndex(), remove=True, verbosity=0)
    return f"{created} products created"
