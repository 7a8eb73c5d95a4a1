"""What the browser scripts share: a headless Chromium, polling waits, keyboard moves, the REST API."""
import argparse
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

XSS = "<img src=x onerror=alert(1)>"


def browser(width=1280, height=860, phone=False):
    """A headless Chromium; `phone` emulates a touch screen of exactly width × height CSS pixels
    (a desktop window cannot be made narrower than about 500)."""
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}", "--lang=en-US"):
        options.add_argument(argument)
    if phone:
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2, "touch": True}})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Desktop notifications allowed, as an operator who said yes once has them.
    options.add_experimental_option("prefs", {"profile.default_content_setting_values.notifications": 1})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait(driver, what, condition, seconds=20):
    """Polls `condition` until it is truthy; live pages redraw, so an element gone stale means "look again"."""
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(lambda d: condition(d))
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {what}")


def redrawn(driver, what, action):
    """Does `action` on freshly found elements, again if the page redrew them meanwhile."""
    return wait(driver, what, lambda d: action(d) or True)


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def api(base, method, path, token, body=None):
    request = urllib.request.Request(f"{base}/api/v1{path}", method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


def ask(control, request):
    """Asks the Swift test to do something to the suite (stop or start the gateway) and waits until done."""
    done = os.path.join(control, "done")
    if os.path.exists(done):
        os.remove(done)
    with open(os.path.join(control, "request.tmp"), "w") as file:
        file.write(request)
    os.rename(os.path.join(control, "request.tmp"), os.path.join(control, "request"))
    deadline = time.monotonic() + 60
    while not os.path.exists(done):
        if time.monotonic() > deadline:
            raise AssertionError(f"the test never did {request}")
        time.sleep(0.02)


def login(driver, base, email, password="password-123", available=True):
    """Logs in to the console and, unless told not to, switches chats and tickets on."""
    driver.get(f"{base}/console/")
    wait(driver, "the login form", lambda d: d.find_elements(By.ID, "email"))
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login").click()
    wait(driver, f"{email}'s console", lambda d: d.find_elements(By.ID, "available-chats"))
    wait(driver, "the live stream", lambda d: d.find_element(By.ID, "live-state").text == "live")
    for what in ("chats", "tickets") if available else ():
        toggle = driver.find_element(By.ID, f"available-{what}")
        if not toggle.is_selected():
            toggle.click()
            wait(driver, f"{email} taking {what}", lambda d: d.find_element(By.ID, f"available-{what}").is_selected())


def pool_ids(driver):
    return [item.get_attribute("data-id") for item in driver.find_elements(By.CSS_SELECTOR, "#pool-items li.item")]


def in_widget(driver, page):
    """Opens `page` (a site that embeds the widget), clicks the chat button and enters the panel's frame."""
    driver.get(page)
    host = wait(driver, "the widget on the host page", lambda d: d.find_elements(By.ID, "switchboard-widget"))[0]
    root = driver.execute_script("return arguments[0].shadowRoot", host)
    button = root.find_element(By.CSS_SELECTOR, "button")
    button.click()
    frame = root.find_element(By.CSS_SELECTOR, "iframe")
    driver.switch_to.frame(frame)


def focused(driver):
    """The element that has the keyboard focus, looking into the widget's shadow root too."""
    return driver.execute_script(
        "let e = document.activeElement; while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement; return e")


def press(driver, *keys):
    """Types into whatever has the focus, as a person at the keyboard does."""
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver, what, matches, limit=60, seconds=20):
    """Presses Tab until the focused element matches; fails if the keyboard never gets there.
    A live page may redraw the focused element while it is looked at: then it looks again."""
    deadline = time.monotonic() + seconds
    presses = 0
    while presses < limit and time.monotonic() < deadline:
        try:
            element = focused(driver)
            if element is not None and matches(element):
                return element
        except StaleElementReferenceException:
            continue
        press(driver, Keys.TAB)
        presses += 1
    raise AssertionError(f"Tab never reaches {what}")


def by_id(name):
    return lambda element: element.get_attribute("id") == name


def overflowing(driver):
    """What reaches past the screen's right edge outside any sideways scroller (tag#id.class), if anything."""
    return driver.execute_script("""
        const width = document.documentElement.clientWidth;
        const scrolls = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
        return [...document.querySelectorAll('body *')]
            .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > width + 0.5 && !scrolls(e))
            .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} ends at ${e.getBoundingClientRect().right}`)""")


def fits(driver, what):
    too_wide = overflowing(driver)
    check(not too_wide, f"{what} fits the screen; too wide: {too_wide}")


def quit_all(*drivers):
    """Closes the browsers, printing what their consoles reported as errors."""
    for driver in drivers:
        for entry in driver.get_log("browser"):
            if entry["level"] == "SEVERE" and "favicon" not in entry["message"]:
                print("browser error:", entry["message"], file=sys.stderr)
        driver.quit()


def main(script, name):
    """The scripts' command line: --base, --admin-token, --shots, --control; exit 1 with the first failed check."""
    parser = argparse.ArgumentParser()
    for option in ("--base", "--admin-token", "--shots", "--control"):
        parser.add_argument(option, required=True)
    arguments = parser.parse_args()
    try:
        script(arguments.base, arguments.admin_token, arguments.shots, arguments.control)
    except AssertionError as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    print(f"{name} passed")
