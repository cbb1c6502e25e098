"""axe-core in a page under the site's Content-Security-Policy: its serious and critical violations."""

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol: a <script> tag added to the page would be inline
    # script, which the Content-Security-Policy (home/csp.py) rightly refuses.
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
