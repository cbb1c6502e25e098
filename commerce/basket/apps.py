"""Oscar's basket app, forked to override its add-to-basket forms beside this module."""

import oscar.apps.basket.apps as apps


class BasketConfig(apps.BasketConfig):
    name = "commerce.basket"
