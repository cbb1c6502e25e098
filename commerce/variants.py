"""How a product variant (an Oscar child product) is named and offered: "Wildflower honey — 340 g jar"."""

from oscar.templatetags.currency_filters import currency


def product_line_title(product) -> str:
    """The product as a basket or order line names it: a variant by its parent and its own title."""
    if product.is_child and product.title and product.parent.title:
        return f"{product.parent.title} — {product.title}"
    return product.get_title()


def variant_choice_label(child, purchase_info) -> str:
    """A variant as the selector offers it: its name, price and stock ("340 g jar — £9.00, 40 in stock")."""
    # A variant's own title names it; its attribute summary repeats what it shares with its parent.
    name = child.title or child.attribute_summary or child.get_title()
    price = purchase_info.price
    parts = [name]
    if price.exists:
        amount = price.incl_tax if price.is_tax_known else price.excl_tax
        parts.append(currency(amount, price.currency))
    label = " — ".join(parts)
    availability = purchase_info.availability
    stockrecord = purchase_info.stockrecord
    if not availability.is_available_to_buy:
        return f"{label}, sold out"
    if stockrecord is not None and stockrecord.net_stock_level is not None:
        return f"{label}, {stockrecord.net_stock_level} in stock"
    return f"{label}, {availability.message}"
