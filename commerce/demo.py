"""Demo market: three producers, twenty products (some with variants) with stock and images, market pages."""

import io
import zlib
from decimal import Decimal

from django.core.files.base import ContentFile
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from PIL import Image as PillowImage
from PIL import ImageDraw

Country = get_model("address", "Country")
ProductClass = get_model("catalogue", "ProductClass")
ProductAttribute = get_model("catalogue", "ProductAttribute")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

PRODUCERS = {
    "hillside": (
        "Hillside Farm",
        "Calder Valley",
        "#c98a1b",
        "Honey, eggs, preserves and vegetables from a hill farm.",
        "Todmorden market, Saturdays; the cooperative's stall, first Sunday of the month",
    ),
    "riverside": (
        "Riverside Bakery",
        "Hebden Bridge",
        "#8a5a3b",
        "Slow-fermented bread and bakes, fired at dawn.",
        "Hebden Bridge market, Thursdays and Saturdays",
    ),
    "oak-thread": (
        "Oak & Thread",
        "Todmorden",
        "#4d6b53",
        "Candles, textiles and woodwork made by hand.",
        "The cooperative's stall at Todmorden market, Saturdays",
    ),
}
# class slug: (name, attribute code, attribute name, attribute type)
CLASSES = {
    "food": ("Food", "weight", "Weight (g)", "integer"),
    "bakery": ("Bakery", "weight", "Weight (g)", "integer"),
    "crafts": ("Crafts", "material", "Material", "text"),
}
# (upc, title, class, producer, category, price before VAT, stock, attribute,
#  variants [(upc, title, price, stock)])
PRODUCTS = [
    ("RA-HONEY", "Wildflower honey", "food", "hillside", "Food > Pantry", None, None, None,
     [("RA-HONEY-340", "340 g jar", "7.50", 40), ("RA-HONEY-1K", "1 kg tub", "18.00", 12)]),
    ("RA-EGGS-6", "Free-range eggs, 6", "food", "hillside", "Food > Dairy & eggs", "3.10", 60, 380, []),
    ("RA-JAM-DAMSON", "Damson jam", "food", "hillside", "Food > Pantry", "4.80", 25, 340, []),
    ("RA-CHUTNEY", "Apple chutney", "food", "hillside", "Food > Pantry", "4.60", 20, 300, []),
    ("RA-POTATO", "Heritage potatoes", "food", "hillside", "Food > Vegetables", None, None, None,
     [("RA-POTATO-1K", "1 kg bag", "2.40", 50), ("RA-POTATO-25K", "2.5 kg sack", "5.20", 20)]),
    ("RA-OIL", "Cold-pressed rapeseed oil", "food", "hillside", "Food > Pantry", "6.90", 18, 500, []),
    ("RA-CHEESE", "Moorland raw milk cheese", "food", "hillside", "Food > Dairy & eggs", "8.50", 10, 250, []),
    ("RA-BREAD-SOUR", "Sourdough loaf", "bakery", "riverside", "Bakery", "4.20", 25, 800, []),
    ("RA-BREAD-RYE", "Seeded rye", "bakery", "riverside", "Bakery", "4.50", 15, 750, []),
    ("RA-BUNS", "Cinnamon buns", "bakery", "riverside", "Bakery", None, None, None,
     [("RA-BUNS-2", "Pack of 2", "3.60", 30), ("RA-BUNS-4", "Pack of 4", "6.80", 20)]),
    ("RA-BISCUIT", "Oat biscuits", "bakery", "riverside", "Bakery", "3.20", 40, 200, []),
    ("RA-FRUITCAKE", "Fruit cake", "bakery", "riverside", "Bakery", "11.00", 8, 900, []),
    ("RA-FOCACCIA", "Rosemary focaccia", "bakery", "riverside", "Bakery", "4.90", 12, 500, []),
    ("RA-CANDLE", "Beeswax candle", "crafts", "oak-thread", "Crafts > Home", None, None, "Beeswax",
     [("RA-CANDLE-S", "Small", "6.00", 25), ("RA-CANDLE-L", "Large", "11.50", 10)]),
    ("RA-MUG", "Stoneware mug", "crafts", "oak-thread", "Crafts > Home", "14.00", 16, "Stoneware", []),
    ("RA-SCARF", "Wool scarf", "crafts", "oak-thread", "Crafts > Textiles", None, None, "Lambswool",
     [("RA-SCARF-MOSS", "Moss", "32.00", 5), ("RA-SCARF-HEATHER", "Heather", "32.00", 5),
      ("RA-SCARF-SLATE", "Slate", "32.00", 3)]),
    ("RA-BASKET", "Willow basket", "crafts", "oak-thread", "Crafts > Home", "38.00", 4, "Willow", []),
    ("RA-TOWEL", "Linen tea towel", "crafts", "oak-thread", "Crafts > Textiles", "9.50", 30, "Linen", []),
    ("RA-SPOON", "Cherry spoon", "crafts", "oak-thread", "Crafts > Home", "16.00", 9, "Cherry wood", []),
    ("RA-NOTEBOOK", "Notebook", "crafts", "oak-thread", "Crafts > Home", "12.00", 14, "Recycled paper", []),
]  # fmt: skip


def placeholder_image(title: str, colour: str, size: tuple[int, int] = (800, 800)) -> ContentFile:
    """A plain coloured JPEG with the title on it, made locally so the demo needs no downloads."""
    image = PillowImage.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, size[1] - 160, size[0] - 40, size[1] - 40), fill="#fdf8ef")
    draw.text((70, size[1] - 120), title, fill="#222222", font_size=44)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    slug = f"{zlib.crc32(title.encode()):08x}"
    return ContentFile(buffer.getvalue(), name=f"demo-{slug}.jpg")


def shipping_country_ensure():
    country, _ = Country.objects.get_or_create(
        iso_3166_1_a2="GB",
        defaults={
            "iso_3166_1_a3": "GBR",
            "iso_3166_1_numeric": "826",
            "name": "United Kingdom of Great Britain and Northern Ireland",
            "printable_name": "United Kingdom",
            "is_shipping_country": True,
        },
    )
    return country


def _product_class(slug: str):
    name, code, attribute_name, attribute_type = CLASSES[slug]
    product_class, _ = ProductClass.objects.get_or_create(
        slug=slug, defaults={"name": name, "requires_shipping": True, "track_stock": True}
    )
    ProductAttribute.objects.get_or_create(
        product_class=product_class, code=code, defaults={"name": attribute_name, "type": attribute_type}
    )
    return product_class


def _stock(product, partner, sku: str, price: str, stock: int) -> None:
    StockRecord.objects.get_or_create(
        product=product,
        partner=partner,
        defaults={
            "partner_sku": sku,
            "price": Decimal(price),
            "num_in_stock": stock,
            "price_currency": "GBP",
        },
    )


def catalogue_seed() -> tuple[int, dict]:
    classes = {slug: _product_class(slug) for slug in CLASSES}
    partners = {
        key: Partner.objects.get_or_create(code=key, defaults={"name": name})[0]
        for key, (name, *_) in PRODUCERS.items()
    }
    created = 0
    for upc, title, class_slug, producer, breadcrumbs, price, stock, attribute, variants in PRODUCTS:
        product_class = classes[class_slug]
        product, was_created = Product.objects.get_or_create(
            upc=upc,
            defaults={
                "title": title,
                "product_class": product_class,
                "structure": Product.PARENT if variants else Product.STANDALONE,
                "description": f"<p>{title} from {PRODUCERS[producer][0]}.</p>",
            },
        )
        created += was_created
        if was_created:
            if attribute is not None:
                setattr(product.attr, CLASSES[class_slug][1], attribute)
                product.save()
            ProductImage.objects.create(
                product=product, original=placeholder_image(title, PRODUCERS[producer][2]), caption=title
            )
        category = create_from_breadcrumbs(breadcrumbs)
        ProductCategory.objects.get_or_create(product=product, category=category)
        if not variants:
            _stock(product, partners[producer], upc, price, stock)
        for child_upc, child_title, child_price, child_stock in variants:
            child, child_created = Product.objects.get_or_create(
                upc=child_upc, defaults={"title": child_title, "structure": Product.CHILD, "parent": product}
            )
            created += child_created
            _stock(child, partners[producer], child_upc, child_price, child_stock)
    return created, partners


def market_pages_seed(partners: dict) -> None:
    from wagtail.images import get_image_model
    from wagtail.models import Site
    from wagtail.rich_text import RichText

    from commerce.models import MarketPage, ProducerPage

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return
    home = site.root_page.specific  # the home page; found through the Site so commerce never imports home
    market = MarketPage.objects.first()
    if market is None:
        featured = list(
            Product.objects.filter(upc__in=["RA-HONEY", "RA-BREAD-SOUR", "RA-SCARF", "RA-CANDLE"])
        )
        bakery = create_from_breadcrumbs("Bakery")
        market = MarketPage(
            title="Market",
            slug="market",
            show_in_menus=True,
            intro="<p>Everything here is grown, baked or made by members of the cooperative.</p>",
            body=[
                (
                    "text",
                    RichText(
                        "<h2>This week at the market</h2><p>Fresh bread on Saturdays, honey all year.</p>"
                    ),
                ),
                ("products", {"heading": "Producers' picks", "products": featured}),
                ("category", {"heading": "From the bakery", "category": bakery, "limit": 6}),
                *[("producer", {"producer": partner, "limit": 4}) for partner in partners.values()],
            ],
        )
        home.add_child(instance=market)
        market.save_revision().publish()
    Image = get_image_model()
    for key, partner in partners.items():
        if ProducerPage.objects.filter(partner=partner).exists():
            continue
        name, location, colour, intro, sells_at = PRODUCERS[key]
        image = Image.objects.create(title=name, file=placeholder_image(name, colour, (1200, 800)))
        page = ProducerPage(
            title=name,
            slug=key,
            partner=partner,
            location=location,
            sells_at=sells_at,
            intro=intro,
            image=image,
        )
        market.add_child(instance=page)
        page.save_revision().publish()


def seed() -> str:
    shipping_country_ensure()
    created, partners = catalogue_seed()
    market_pages_seed(partners)
    return f"{created} products created, {len(partners)} producers"
