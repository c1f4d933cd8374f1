"""A real headless browser for the review page's tests: Debian's chromium, where it can be had.

Started as the CI starts it (no sandbox, no GPU, no network services, a fresh
profile each time); :func:`browser` is None where no browser is installed, and
the tests skip. ``python -m tests.support.browser`` rewrites the README's
screenshot of the review page (``docs/review-page.png``) the way the test makes it.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support import FIXTURES, REPO

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
SCREENSHOT = REPO / "docs" / "review-page.png"
# The entries the README's screenshot shows: the flawed entry first, then a few golden fixtures.
SCREENSHOT_INPUTS = [FIXTURES / "screen" / "flawed_entry.txt", FIXTURES / "text" / "40_misspelled_label_glued_allocation.txt",
                     FIXTURES / "text" / "01_minimal_entry.txt"]


def browser() -> str | None:
    """The headless browser's executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    exe = browser()
    assert exe is not None, "no browser"
    with tempfile.TemporaryDirectory(prefix="registry-tool-browser-") as profile:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              timeout=timeout)


def dump_dom(page: Path, fragment: str = "") -> str:
    """The page's DOM after it loaded and its script ran, as HTML."""
    done = _run(["--dump-dom", page.resolve().as_uri() + fragment])
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    return done.stdout.decode("utf-8")


def screenshot(page: Path, png: Path, width: int = 1400, height: int = 1000) -> None:
    """A PNG of the page's first screen."""
    done = _run([f"--window-size={width},{height}", f"--screenshot={png}", page.resolve().as_uri()])
    assert done.returncode == 0 and png.is_file(), done.stderr.decode("utf-8", "replace")[-2000:]


def write_readme_screenshot(out: Path = SCREENSHOT) -> Path:
    """Make the README's screenshot: the review page of SCREENSHOT_INPUTS."""
    from registry_tool import commands

    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(REPO):  # paths shown relative to the repository
        page = Path(tmp) / "review.html"
        commands.review([str(p.relative_to(REPO)) for p in SCREENSHOT_INPUTS], str(page))
        out.parent.mkdir(parents=True, exist_ok=True)
        screenshot(page, out)
    return out


if __name__ == "__main__":
    if browser() is None:
        sys.exit("no headless browser (chromium) found")
    print(write_readme_screenshot())
