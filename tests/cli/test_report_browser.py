"""The report's time slider in a real browser (headless Chromium via selenium
and Debian's chromedriver): moved with the keyboard, it shows what `summit
consensus --as-of` and `summit stance --as-of` say, shows hostile quotes as
text, and fetches nothing."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli.render.charts.common import STANCE_COLOURS
from tests.builders import HOSTILE, moving_table
from tests.conftest import Summit

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--window-size=1200,1400",
)  # fmt: skip


def _missing() -> str | None:
    if CHROMIUM is None or DRIVER is None:
        return "chromium and chromium-driver are not installed"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


MISSING = _missing()
pytestmark = pytest.mark.skipif(
    MISSING is not None and not os.environ.get("CI"), reason=str(MISSING)
)


def open_browser(tmp_path: Path, javascript: bool = True) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let selenium download
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability(
        "goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"}
    )
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    return webdriver.Chrome(service=Service(str(DRIVER)), options=options)


@pytest.fixture
def table(tmp_path: Path) -> Summit:
    summit = Summit(store=str(tmp_path / "table.db"), tmp=tmp_path)
    summit.load(moving_table())
    return summit


@pytest.fixture
def page(table: Summit, tmp_path: Path) -> Iterator[tuple[Any, Summit]]:
    out = tmp_path / "report.html"
    table.ok("report", "t", "--out", str(out))
    browser = open_browser(tmp_path)
    try:
        browser.get(out.as_uri())
        yield browser, table
    finally:
        browser.quit()


def rgba(colour: str) -> str:
    """`#RRGGBB` as the browser's computed style writes it."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, 1)"


def move_to(browser: Any, index: int) -> None:
    """Home, then the right arrow `index` times: only the keyboard moves it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    slider = browser.find_element(By.ID, "map-slider")
    slider.send_keys(Keys.HOME)
    for _ in range(index):
        slider.send_keys(Keys.ARROW_RIGHT)
    assert slider.get_attribute("value") == str(index)


def shown(browser: Any) -> dict[str, Any]:
    """What the reader sees on the map: counts, headline, each tile's colour."""
    from selenium.webdriver.common.by import By

    def text(id_: str) -> str:
        return str(browser.find_element(By.ID, id_).text)

    tiles = browser.find_elements(By.CSS_SELECTOR, "#map-tiles .tile")
    return {
        "date": text("map-date"),
        "supports": int(text("map-supports")),
        "parties": int(text("map-parties")),
        "counts": {s: int(text(f"map-count-{s}")) for s in STANCE_COLOURS},
        "tiles": {
            t.get_attribute("data-ally"): (
                t.get_attribute("data-stance"),
                t.value_of_css_property("background-color"),
            )
            for t in tiles
        },
        "headline": text("map-headline"),
    }


def test_slider_moved_by_keyboard_shows_the_cli_views_for_three_dates(
    page: tuple[Any, Summit],
) -> None:
    browser, table = page
    dates = [s["on"] for s in table.json("consensus", "t")["path"]]
    for index in (0, len(dates) // 2, len(dates) - 1):
        day = dates[index]
        move_to(browser, index)
        seen = shown(browser)
        consensus = table.json("consensus", "t", "--as-of", day)
        stance = table.json("stance", "t", "--as-of", day)
        assert seen["date"] == day
        assert seen["counts"] == consensus["counts"]
        assert seen["supports"] == consensus["counts"]["supports"]
        assert seen["parties"] == consensus["parties"]
        assert seen["headline"].startswith(f"On {day}, ")
        assert seen["tiles"] == {
            a["ally"]: (a["stance"], rgba(STANCE_COLOURS[a["stance"]]))
            for a in stance["allies"]
        }


def test_a_hostile_quote_shows_as_text_on_click_and_on_focus(
    page: tuple[Any, Summit],
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser, _ = page
    move_to(browser, 0)  # 2025-06-02: GBR undecided, on the hostile quote
    browser.find_element(By.CSS_SELECTOR, '.tile[data-ally="GBR"]').click()
    panel = browser.find_element(By.ID, "map-evidence")
    assert HOSTILE in panel.find_element(By.CSS_SELECTOR, "blockquote").text
    assert "Minister of GBR" in panel.text and "Example Wire" in panel.text
    assert browser.execute_script("return document.images.length") == 0
    # Keyboard: Tab from the slider lands on the first tile and shows its evidence.
    browser.find_element(By.ID, "map-slider").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class").startswith("tile")
    ally = focused.get_attribute("data-ally")
    assert panel.find_element(By.CSS_SELECTOR, "h3").text.endswith(
        f"({ally}): {focused.get_attribute('data-stance')} on 2025-06-02"
    )


def test_the_page_makes_no_network_request_and_no_script_error(
    page: tuple[Any, Summit],
) -> None:
    from selenium.webdriver.common.by import By

    browser, _ = page
    move_to(browser, 2)
    for tile in browser.find_elements(By.CSS_SELECTOR, "#map-tiles .tile"):
        tile.click()
    report = browser.current_url
    requests = [
        message["params"]
        for entry in browser.get_log("performance")
        if (message := json.loads(entry["message"])["message"])["method"]
        == "Network.requestWillBeSent"
    ]
    # Chromium's own start page may log chrome:// loads; nothing goes out,
    # and the report itself loads nothing but itself.
    urls = [r["request"]["url"] for r in requests]
    assert not [u for u in urls if not u.startswith(("chrome:", "file:", "data:"))]
    from_report = [
        r["request"]["url"] for r in requests if r.get("documentURL") == report
    ]
    assert from_report == [report]
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').length"
    )
    assert resources == 0
    problems = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert problems == []


def test_without_javascript_the_map_shows_the_final_state(
    table: Summit, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    out = tmp_path / "report.html"
    table.ok("report", "t", "--out", str(out))
    browser = open_browser(tmp_path, javascript=False)
    try:
        browser.get(out.as_uri())
        assert not browser.find_element(By.ID, "map-slider").is_displayed()
        seen = {
            t.get_attribute("data-ally"): t.get_attribute("data-stance")
            for t in browser.find_elements(By.CSS_SELECTOR, "#map-tiles .tile")
        }
    finally:
        browser.quit()
    final = table.json("stance", "t")["allies"]
    assert seen == {a["ally"]: a["stance"] for a in final}
