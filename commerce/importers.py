"""Product import: CSV, a JSON feed, or schema.org/Product JSON-LD in a producer's web page, keyed by SKU."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import extruct
from django.db import transaction
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

CURRENCY = "GBP"
IN_STOCK_WITHOUT_COUNT = 10  # schema.org says "InStock" without a number; assume a modest quantity

# Every value is checked against the column it lands in, so a row is either written whole or
# rejected with a reason; the database never gets to refuse (PostgreSQL) or truncate (SQLite) it.
PRODUCT_UPC_MAX = min(
    Product._meta.get_field("upc").max_length, StockRecord._meta.get_field("partner_sku").max_length
)
PRODUCT_TITLE_MAX = Product._meta.get_field("title").max_length
PRODUCT_CLASS_NAME_MAX = ProductClass._meta.get_field("name").max_length
PARTNER_NAME_MAX = Partner._meta.get_field("name").max_length
CATEGORY_NAME_MAX = Category._meta.get_field("name").max_length
CATEGORY_DEPTH_MAX = 8  # treebeard's path column holds 63 levels; a shop's breadcrumbs need far fewer
CATEGORY_PATH_MAX = CATEGORY_DEPTH_MAX * (CATEGORY_NAME_MAX + 3)
DESCRIPTION_MAX = 50_000
_price_field = StockRecord._meta.get_field("price")
PRICE_STEP = Decimal(1).scaleb(-_price_field.decimal_places)
PRICE_LIMIT = Decimal(10) ** (_price_field.max_digits - _price_field.decimal_places)
STOCK_MAX = 2**31 - 1  # PostgreSQL's integer, which PositiveIntegerField is
LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
MULTILINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    skus: list[str] = field(default_factory=list)  # of the rows written

    def __str__(self) -> str:
        lines = [f"{self.created} created, {self.updated} updated, {len(self.rejected)} rejected"]
        lines += [f"  row {row}: {reason}" for row, reason in self.rejected]
        return "\n".join(lines)


def rows_from_csv(text: str) -> list[dict]:
    try:
        return [dict(row) for row in csv.DictReader(io.StringIO(text))]
    except csv.Error as exc:  # a field over the csv module's size limit, a broken quote
        raise ValueError(f"not a readable CSV file ({exc})") from None


def rows_from_json_feed(text: str) -> list[dict]:
    """A list of product objects, or the same under "products" or "items"; anything else is refused."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    items = data.get("products", data.get("items")) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError('expected a list of products, or an object with a "products" list')
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"product {number} of the list is not an object")
    return items


def rows_from_jsonld_page(html: str, base_url: str = "") -> list[dict]:
    """schema.org/Product objects found in a page's JSON-LD (also inside @graph) as import rows."""
    try:
        return _rows_from_jsonld_page(html, base_url)
    except RecursionError:
        raise ValueError("the page's JSON-LD is nested too deeply") from None


def _rows_from_jsonld_page(html: str, base_url: str) -> list[dict]:
    found = extruct.extract(html, base_url=base_url or None, syntaxes=["json-ld"], uniform=True)["json-ld"]
    products: list[dict] = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if "Product" in kinds:
                products.append(node)
            walk(node.get("@graph", []))

    walk(found)
    return [_row_from_schema_product(product) for product in products]


def _row_from_schema_product(product: dict) -> dict:
    offers = product.get("offers") or {}
    offer = offers[0] if isinstance(offers, list) and offers else offers
    if isinstance(offer, dict) and offer.get("@type") == "AggregateOffer":
        offer = {**offer, "price": offer.get("lowPrice")}
    brand = product.get("brand") or product.get("manufacturer") or {}
    availability = str(offer.get("availability", "")) if isinstance(offer, dict) else ""
    inventory = (offer.get("inventoryLevel") or {}) if isinstance(offer, dict) else {}
    stock = inventory.get("value") if isinstance(inventory, dict) else inventory
    if stock in (None, ""):
        stock = IN_STOCK_WITHOUT_COUNT if availability.endswith("InStock") else 0
    return {
        "sku": product.get("sku") or product.get("productID") or product.get("gtin13") or "",
        "title": product.get("name", ""),
        "description": product.get("description", ""),
        "price": offer.get("price", "") if isinstance(offer, dict) else "",
        "currency": offer.get("priceCurrency", CURRENCY) if isinstance(offer, dict) else CURRENCY,
        "stock": stock,
        "producer": brand.get("name", "") if isinstance(brand, dict) else str(brand),
        "category": product.get("category", ""),
    }


def rows_from_source(text: str, *, hint: str = "") -> list[dict]:
    """Pick the parser by the file name or content type in `hint`, else by the first character.

    ValueError says why the text is not a product file at all.
    """
    if "\x00" in text:
        raise ValueError("the file contains NUL bytes, so it is not a text file")
    hint = hint.lower()
    stripped = text.lstrip()
    if "html" in hint or stripped[:1] == "<":
        return rows_from_jsonld_page(text)
    if "json" in hint or stripped[:1] in "[{":
        return rows_from_json_feed(text)
    return rows_from_csv(text)


def _clean(row: dict, default_producer: str) -> dict:
    """The row's values checked against the columns they are written to; ValueError names the field."""
    sku = _text(row.get("sku"), "sku", PRODUCT_UPC_MAX)
    title = _text(row.get("title") or row.get("name"), "title", PRODUCT_TITLE_MAX)
    if not sku:
        raise ValueError("missing sku")
    if not title:
        raise ValueError("missing title")
    currency = _text(row.get("currency"), "currency", 3).upper() or CURRENCY
    if currency != CURRENCY:
        raise ValueError(f"currency {currency} is not {CURRENCY}")
    category = _text(row.get("category"), "category", CATEGORY_PATH_MAX)
    if category:
        names = [name.strip() for name in category.split(">")]
        if len(names) > CATEGORY_DEPTH_MAX or not all(names):
            raise ValueError(
                f"category {_shown(category)} is not a path of at most {CATEGORY_DEPTH_MAX} names"
            )
        if any(len(name) > CATEGORY_NAME_MAX for name in names):
            raise ValueError(f"category has a name longer than {CATEGORY_NAME_MAX} characters")
    return {
        "sku": sku,
        "title": title,
        "description": _text(row.get("description"), "description", DESCRIPTION_MAX, multiline=True),
        "price": _price(row.get("price", "")),
        "stock": _stock(row.get("stock")),
        "producer": _text(row.get("producer"), "producer", PARTNER_NAME_MAX) or default_producer,
        "category": category,
        "product_class": _text(row.get("product_class"), "product_class", PRODUCT_CLASS_NAME_MAX)
        or "General",
    }


def _text(value: object, field_name: str, max_length: int, *, multiline: bool = False) -> str:
    """Text for a column: no NUL or other control characters (PostgreSQL refuses NUL, SQLite stores
    it and the shop's pages and search index break on it), no lone surrogates, within the column."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{field_name} must be text, not {type(value).__name__}")
    text = str(value).strip()
    if (MULTILINE_FORBIDDEN if multiline else LINE_FORBIDDEN).search(text):
        raise ValueError(f"{field_name} contains a control character or invalid text")
    if len(text) > max_length:
        raise ValueError(f"{field_name} longer than {max_length} characters")
    return text


def _shown(value: object, limit: int = 40) -> str:
    """A value as a reason quotes it: repr'd (NUL and the like escaped) and cut short."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _price(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"price must be a number, not {type(value).__name__}")
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"price {_shown(value)} is not a number") from None
    if not price.is_finite():  # NaN, sNaN and Infinity parse as Decimals but are no price
        raise ValueError(f"price {_shown(value)} is not a finite number")
    if price < 0:
        raise ValueError("negative price")
    if price >= PRICE_LIMIT:
        raise ValueError(f"price {_shown(value)} is too large (at most {PRICE_LIMIT - PRICE_STEP})")
    return price.quantize(PRICE_STEP, rounding=ROUND_HALF_UP)


def _stock(value: object) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, float) and value.is_integer():  # JSON writes 3.0 for some whole numbers
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"stock {_shown(value)} is not a whole number")
    try:
        stock = int(str(value).strip())
    except ValueError:
        raise ValueError(f"stock {_shown(value)} is not a whole number") from None
    if stock < 0:
        raise ValueError("negative stock")
    if stock > STOCK_MAX:
        raise ValueError(f"stock {_shown(value)} is too large (at most {STOCK_MAX})")
    return stock


def products_import(
    rows: list[dict],
    *,
    default_producer: str = "Imported",
) -> ImportReport:
    """Create or update one product and its stock record per row; bad rows are reported, not fatal.

    Every row is checked before anything is written, and the good rows are written in one
    transaction: an error the checks did not foresee rolls the whole file back rather than leaving
    it half imported.
    """
    report = ImportReport()
    default_producer = _text(default_producer, "producer", PARTNER_NAME_MAX) or "Imported"
    cleaned: list[tuple[int, dict]] = []
    for number, row in enumerate(rows, start=1):
        try:
            cleaned.append((number, _clean(row, default_producer)))
        except ValueError as exc:
            report.rejected.append((number, str(exc)))
    with transaction.atomic():
        for number, clean in cleaned:
            try:
                with transaction.atomic():
                    created = _product_write(clean)
            except ValueError as exc:  # Oscar's category tree refuses an ambiguous breadcrumb
                report.rejected.append((number, str(exc)))
            else:
                report.created += created
                report.updated += not created
                report.skus.append(clean["sku"])
    report.rejected.sort()
    return report


def _product_write(clean: dict) -> bool:
    """Write one checked row; True if its product is new."""
    product_class = ProductClass.objects.filter(name__iexact=clean["product_class"]).first()
    if product_class is None:
        product_class = ProductClass.objects.create(name=clean["product_class"], track_stock=True)
    partner = Partner.objects.filter(name__iexact=clean["producer"]).first() or Partner.objects.create(
        name=clean["producer"]
    )
    product, created = Product.objects.update_or_create(
        upc=clean["sku"],
        defaults={"title": clean["title"], "description": clean["description"], "is_public": True},
        create_defaults={
            "title": clean["title"],
            "description": clean["description"],
            "product_class": product_class,
            "structure": Product.STANDALONE,
        },
    )
    StockRecord.objects.update_or_create(
        partner=partner,
        partner_sku=clean["sku"],
        defaults={
            "product": product,
            "price": clean["price"],
            "price_currency": CURRENCY,
            "num_in_stock": clean["stock"],
        },
    )
    if clean["category"]:
        category = create_from_breadcrumbs(clean["category"])
        ProductCategory.objects.get_or_create(product=product, category=category)
    return created
