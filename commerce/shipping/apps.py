"""Oscar's shipping app, forked to override classes beside this module."""

import oscar.apps.shipping.apps as apps


class ShippingConfig(apps.ShippingConfig):
    name = "commerce.shipping"
