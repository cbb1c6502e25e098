"""The site's stylesheet is the design system's sources built by lightningcss, and is up to date."""

import re

from home.stylesheet import BUILT, DESIGN_DIR, stylesheet_build, stylesheet_is_current

# A colour written out (#abc, #a1b2c3, rgb(), rgba(), hsl()) rather than named by a token.
_LITERAL_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\(")


def _without_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def test_built_stylesheet_is_what_the_design_sources_build_to():
    assert stylesheet_is_current(), f"{BUILT} is stale: run `manage.py build_css` and commit it"


def test_build_bundles_every_source_and_compiles_custom_media_and_nesting():
    built = stylesheet_build()

    assert "@import" not in built and "@custom-media" not in built and "&" not in built
    assert "(min-width:768px)" in built  # @media (--tablet-up), for Safari 13 and later
    assert ".btn-primary:hover" in built  # nested `&:hover` written out
    for name in ("--color-brand:", ".empty-state{", ".product-card{", ".calendar-grid{", ".week-day{"):
        assert name in built


def test_design_sources_take_every_colour_from_the_tokens():
    sources = [path for path in sorted(DESIGN_DIR.rglob("*.css")) if path.name != "tokens.css"]
    literal = {
        str(path.relative_to(DESIGN_DIR)): found
        for path in sources
        if (found := _LITERAL_COLOUR.findall(_without_comments(path.read_text())))
    }
    assert literal == {}
