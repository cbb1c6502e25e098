"""axe-core in a page under our Content-Security-Policy, and a look at a page at three widths."""

from pathlib import Path

from django.conf import settings

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (360, 768, 1280)
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def serious_violations(page, exclude: tuple[str, ...] = ()) -> list[str]:
    """axe-core's serious and critical findings on the page, minus the `exclude`d selectors."""
    # Evaluated through the DevTools protocol: a <script> tag added to the page would be inline
    # script, which the Content-Security-Policy (home/csp.py) rightly refuses.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    violations = page.evaluate(
        """async (exclude) => (await axe.run(
            {include: [document], exclude: exclude.map((selector) => [selector])},
            {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']},
        )).violations""",
        list(exclude),
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits the viewport)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def distorted_images(page) -> list[str]:
    """Images drawn out of their own proportions (more than 5% off), unless cropped by object-fit."""
    return page.evaluate(
        """() => [...document.images]
            .filter((img) => img.complete && img.naturalWidth && img.clientWidth && img.clientHeight)
            .filter((img) => getComputedStyle(img).objectFit === "fill")
            .filter((img) => {
                const natural = img.naturalWidth / img.naturalHeight;
                return Math.abs(img.clientWidth / img.clientHeight - natural) > 0.05 * natural;
            })
            .map((img) => `${img.currentSrc.split("/").pop()} ${img.clientWidth}x${img.clientHeight}`)"""
    )


def screenshots(page, name: str) -> None:
    """Full-page screenshots at each width into var/screenshots/, leaving the page at 1280 px."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
