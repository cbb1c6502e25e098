"""StreamField blocks shared by the blog, content pages and the navigation menus."""

from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock, EmbedValue
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "link", "ol", "ul", "hr", "code", "image"]


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt = blocks.CharBlock(required=False, help_text="Describe the image for people who cannot see it.")
    caption = blocks.CharBlock(required=False)

    class Meta:
        icon = "image"
        template = "cms/blocks/captioned_image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False)

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote.html"


class CodeBlock(blocks.StructBlock):
    language = blocks.CharBlock(required=False, max_length=40, help_text="e.g. python, html, shell")
    code = blocks.TextBlock()

    class Meta:
        icon = "code"
        template = "cms/blocks/code.html"


class StoredEmbedBlock(EmbedBlock):
    """Wagtail's EmbedBlock, validated without HTTP (cms.embeds): the URL must match a configured
    embed finder, and the provider is asked after the editor's transaction commits, not inside it."""

    def clean(self, value):
        from .embeds import embed_fetch_after_commit, url_embeddable

        if isinstance(value, EmbedValue):
            if not url_embeddable(value.url):
                raise ValidationError("Cannot find an embed for this URL.")
            embed_fetch_after_commit(value.url, value.max_width, value.max_height)
        return super(EmbedBlock, self).clean(value)  # the URL checks, not EmbedBlock's provider call


def _fragment_choices():
    from cms.fragments import fragment_choices

    return fragment_choices()


class AppFragmentBlock(blocks.StructBlock):
    """What another app offers (this week's events, the producers' picks, the next market day, the
    newsletter sign-up), named from cms.fragments' registry and rendered from its cache."""

    fragment = blocks.ChoiceBlock(choices=_fragment_choices)
    heading = blocks.CharBlock(required=False, help_text="Defaults to the fragment's own heading.")
    filter = blocks.CharBlock(
        required=False,
        max_length=200,
        help_text="Calendar or category slug for events; producer code, category slug or product UPCs "
        "(comma-separated) for products.",
    )
    limit = blocks.IntegerBlock(default=6, min_value=1, max_value=24)

    class Meta:
        icon = "snippet"
        label = "From the market or the calendar"

    @staticmethod
    def fragment_params(value) -> dict:
        return {
            "heading": value.get("heading") or "",
            "filter": value.get("filter") or "",
            "limit": value.get("limit") or 6,
        }

    def render_basic(self, value, context=None):
        from cms.fragments import fragment_html

        return mark_safe(fragment_html(value.get("fragment") or "", self.fragment_params(value)))


class ArticleStreamBlock(blocks.StreamBlock):
    """The body of posts and content pages."""

    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, icon="pilcrow")
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    embed = StoredEmbedBlock(icon="media", help_text="A YouTube, Vimeo or other oEmbed URL.")
    code = CodeBlock()
    fragment = AppFragmentBlock()


# --- navigation ------------------------------------------------------------------------------

SECTIONS = [("/shop/", "The market"), ("/events/", "The calendar"), ("/account/", "Member dashboard")]


class MenuLinkBlock(blocks.StructBlock):
    """One link: to a page, a section of the site (shop, calendar) or an external URL — exactly one."""

    label = blocks.CharBlock(required=False, help_text="Defaults to the page's title.")
    page = blocks.PageChooserBlock(required=False)
    section = blocks.ChoiceBlock(choices=SECTIONS, required=False)
    url = blocks.URLBlock(required=False, label="External URL")

    class Meta:
        icon = "link"

    def clean(self, value):
        value = super().clean(value)
        targets = [name for name in ("page", "section", "url") if value.get(name)]
        if len(targets) != 1:
            raise blocks.StructBlockValidationError(
                non_block_errors=[ValidationError("Choose exactly one of a page, a section or a URL.")]
            )
        if not value.get("label") and not value.get("page"):
            raise blocks.StructBlockValidationError(
                block_errors={"label": ValidationError("A section or external link needs a label.")}
            )
        return value


class MenuGroupBlock(blocks.StructBlock):
    """A top-level entry with a one-level submenu."""

    label = blocks.CharBlock()
    links = blocks.ListBlock(MenuLinkBlock())

    class Meta:
        icon = "list-ul"


class MenuStreamBlock(blocks.StreamBlock):
    link = MenuLinkBlock()
    group = MenuGroupBlock()
