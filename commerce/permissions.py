"""Who may import products: whoever Oscar's dashboard lets add and edit any product, and staff.

An import creates and rewrites products, prices and stock for any SKU, so it asks for what Oscar's
own product form asks for (CatalogueDashboardConfig's "catalogue-product" permissions). Oscar also
lets partner users edit products, but only their own partner's; an import keyed by SKU could touch
anyone's, so that alternative is not offered here. No models are imported at load: settings use this.
"""

from django.apps import apps


def product_import_permissions() -> list[str]:
    """Oscar-style permission names (attributes such as is_staff, or app.codename) all required."""
    oscar_product_edit = apps.get_app_config("catalogue_dashboard").get_permissions("catalogue-product")
    # A tuple means "any of these lists": the first is the catalogue's, the rest partner access.
    if isinstance(oscar_product_edit, tuple):
        oscar_product_edit = oscar_product_edit[0]
    return ["is_staff", *(oscar_product_edit or [])]


def product_import_allowed(user, *args, **kwargs) -> bool:
    """True if `user` may import products (also the dashboard menu's access_fn)."""
    from oscar.views.decorators import check_permissions

    return check_permissions(user, product_import_permissions())
