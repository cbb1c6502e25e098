"""The main and footer menus, edited per site under Settings → Navigation."""

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField

from cms.blocks import MenuStreamBlock


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    main_menu = StreamField(MenuStreamBlock(), blank=True, help_text="Ordered; groups nest one level.")
    footer_menu = StreamField(MenuStreamBlock(), blank=True)

    panels = [FieldPanel("main_menu"), FieldPanel("footer_menu")]

    class Meta:
        verbose_name = "navigation"
