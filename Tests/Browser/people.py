"""People: an admin deactivates and reactivates an operator whose console is open, and a
forgotten password is reset through the mailed link.

The operator's open console returns to the login page the moment they are deactivated; after
reactivation they log in again. On the login page "Forgot password?" sends the link; the
Swift test reads the mail from the real SMTP sink and hands the link over; it opens the page
for a new password, which then logs in.

Run by the Swift harness (IntegrationTests/BrowserTests) against a running suite:
    people.py --base http://127.0.0.1:PORT --admin-token T --shots DIR --control DIR --link-file PATH
The operator can@example.com exists with the password "password-123".
Exits non-zero with the reason on the first failed check.
"""
import argparse
import os
import sys

from selenium.webdriver.common.by import By

from common import ask, browser, check, login, quit_all, wait

NEW_PASSWORD = "yeni şifre 2024"


def as_admin(driver, base, token):
    driver.get(f"{base}/console/#/operators")
    driver.execute_script("localStorage.setItem('switchboard.session', arguments[0])", token)
    driver.refresh()
    wait(driver, "the admin's console", lambda d: d.find_elements(By.ID, "available-chats"))


def row(driver, email):
    return driver.find_element(By.CSS_SELECTOR, f'table.operators tr[data-email="{email}"]')


def confirm(driver, button_class, email):
    """Clicks the row's button and confirms in the dialog."""
    wait(driver, f"{button_class} on {email}", lambda d: row(d, email).find_elements(By.CSS_SELECTOR, f"button.{button_class}"))
    row(driver, email).find_element(By.CSS_SELECTOR, f"button.{button_class}").click()
    wait(driver, "the confirm dialog", lambda d: d.find_element(By.ID, "active-dialog").is_displayed())
    driver.find_element(By.ID, "active-dialog-submit").click()


def people(base, token, shots, control, link_file):
    admin, can = browser(), browser()
    try:
        as_admin(admin, base, token)
        login(can, base, "can@example.com")

        confirm(admin, "deactivate", "can@example.com")
        wait(admin, "Can shown deactivated", lambda d: row(d, "can@example.com").find_element(By.CSS_SELECTOR, "td.status").text == "deactivated")
        wait(can, "Can's console back at the login page", lambda d: d.find_elements(By.ID, "email"))
        message = can.find_element(By.CSS_SELECTOR, ".login .error").text
        check("session has ended" in message, f"the login page says why: {message!r}")

        confirm(admin, "reactivate", "can@example.com")
        wait(admin, "Can shown active", lambda d: row(d, "can@example.com").find_element(By.CSS_SELECTOR, "td.status").text == "active")
        login(can, base, "can@example.com")

        # Forgot password: the same answer for anyone; the link comes by mail.
        can.execute_script("localStorage.clear()")
        can.get(f"{base}/console/")
        wait(can, "the login page", lambda d: d.find_elements(By.ID, "forgot"))[0].click()
        wait(can, "the forgot form", lambda d: d.find_elements(By.ID, "forgot-email"))[0].send_keys("can@example.com")
        can.find_element(By.ID, "forgot-send").click()
        wait(can, "the link sent", lambda d: d.find_elements(By.ID, "forgot-sent"))
        ask(control, "reset-link")
        with open(link_file) as file:
            link = file.read().strip()
        can.get(link)
        wait(can, "the reset page", lambda d: d.find_elements(By.ID, "reset-password"))
        check("#reset=" not in can.current_url, f"the token leaves the address bar: {can.current_url}")
        can.find_element(By.ID, "reset-password").send_keys(NEW_PASSWORD)
        can.find_element(By.ID, "reset-again").send_keys(NEW_PASSWORD)
        can.find_element(By.ID, "reset-save").click()
        wait(can, "the new password saved", lambda d: d.find_elements(By.ID, "reset-done"))
        can.find_element(By.ID, "reset-login").click()
        wait(can, "the login form", lambda d: d.find_elements(By.ID, "email"))[0].send_keys("can@example.com")
        can.find_element(By.ID, "password").send_keys(NEW_PASSWORD)
        can.find_element(By.ID, "login").click()
        wait(can, "Can's console with the new password", lambda d: d.find_elements(By.ID, "available-chats"))

        # The link works once: opened again, it says so.
        can.get(link)
        wait(can, "the reset page again", lambda d: d.find_elements(By.ID, "reset-password"))
        can.find_element(By.ID, "reset-password").send_keys("another one 1")
        can.find_element(By.ID, "reset-again").send_keys("another one 1")
        can.find_element(By.ID, "reset-save").click()
        refusal = wait(can, "the spent link refused", lambda d: d.find_element(By.CSS_SELECTOR, "#reset-form .error").text)
        check("used already" in refusal, f"the spent link is refused: {refusal!r}")
    finally:
        quit_all(admin, can)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    for option in ("--base", "--admin-token", "--shots", "--control", "--link-file"):
        parser.add_argument(option, required=True)
    arguments = parser.parse_args()
    try:
        people(arguments.base, arguments.admin_token, arguments.shots, arguments.control, arguments.link_file)
    except AssertionError as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    print("people passed")
