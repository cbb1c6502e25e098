"""Product import: CSV, a JSON feed, or schema.org/Product JSON-LD in a producer's web page, keyed by SKU."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import extruct
from django.db import transaction
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

CURRENCY = "GBP"
IN_STOCK_WITHOUT_COUNT = 10  # schema.org says "InStock" without a number; assume a modest quantity


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)

    def __str__(self) -> str:
        lines = [f"{self.created} created, {self.updated} updated, {len(self.rejected)} rejected"]
        lines += [f"  row {row}: {reason}" for row, reason in self.rejected]
        return "\n".join(lines)


def rows_from_csv(text: str) -> list[dict]:
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


def rows_from_json_feed(text: str) -> list[dict]:
    data = json.loads(text)
    items = data.get("products", data.get("items", [])) if isinstance(data, dict) else data
    return [item for item in items if isinstance(item, dict)]


def rows_from_jsonld_page(html: str, base_url: str = "") -> list[dict]:
    """schema.org/Product objects found in a page's JSON-LD (also inside @graph) as import rows."""
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
    """Pick the parser by the file name or content type in `hint`, else by the first character."""
    hint = hint.lower()
    stripped = text.lstrip()
    if "html" in hint or stripped[:1] == "<":
        return rows_from_jsonld_page(text)
    if "json" in hint or stripped[:1] in "[{":
        return rows_from_json_feed(text)
    return rows_from_csv(text)


def _clean(row: dict, default_producer: str) -> dict:
    sku = str(row.get("sku") or "").strip()
    title = str(row.get("title") or row.get("name") or "").strip()
    if not sku:
        raise ValueError("missing sku")
    if not title:
        raise ValueError("missing title")
    if len(sku) > 64:
        raise ValueError("sku longer than 64 characters")
    try:
        price = Decimal(str(row.get("price", "")).strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"price {row.get('price')!r} is not a number") from None
    if price < 0:
        raise ValueError("negative price")
    currency = str(row.get("currency") or CURRENCY).upper()
    if currency != CURRENCY:
        raise ValueError(f"currency {currency} is not {CURRENCY}")
    try:
        stock = int(str(row.get("stock") or 0).strip())
    except ValueError:
        raise ValueError(f"stock {row.get('stock')!r} is not a whole number") from None
    if stock < 0:
        raise ValueError("negative stock")
    return {
        "sku": sku,
        "title": title[:255],
        "description": str(row.get("description") or ""),
        "price": price,
        "stock": stock,
        "producer": str(row.get("producer") or default_producer).strip(),
        "category": str(row.get("category") or "").strip(),
        "product_class": str(row.get("product_class") or "General").strip(),
    }


def products_import(
    rows: list[dict], *, default_producer: str = "Imported", first_row: int = 1
) -> ImportReport:
    """Create or update one product and its stock record per row; bad rows are reported, not fatal.

    `first_row` numbers the rows of a batch as rows of the whole file, for imports run in batches.
    """
    report = ImportReport()
    for number, row in enumerate(rows, start=first_row):
        try:
            clean = _clean(row, default_producer)
        except ValueError as exc:
            report.rejected.append((number, str(exc)))
            continue
        with transaction.atomic():
            product_class = ProductClass.objects.filter(name__iexact=clean["product_class"]).first()
            if product_class is None:
                product_class = ProductClass.objects.create(name=clean["product_class"], track_stock=True)
            partner = Partner.objects.filter(
                name__iexact=clean["producer"]
            ).first() or Partner.objects.create(name=clean["producer"])
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
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report
