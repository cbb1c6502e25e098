"""Oscar's partner app, forked to override classes beside this module."""

import oscar.apps.partner.apps as apps


class PartnerConfig(apps.PartnerConfig):
    name = "commerce.partner"
