"""Oscar's checkout app, forked to override classes beside this module."""

import oscar.apps.checkout.apps as apps


class CheckoutConfig(apps.CheckoutConfig):
    name = "commerce.checkout"
