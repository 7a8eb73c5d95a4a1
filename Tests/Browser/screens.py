"""The admin screens by keyboard alone, and the desk on a phone, with the widget on another site.

An admin logs in and works Operators and Customizations with the keyboard only (bad input
shows its reason and changes nothing); a visitor on a phone-sized screen opens the widget
on a shop served from a different origin, whose script cannot read the visitor's token; the
new operator, also on a phone, takes the chat and answers by keyboard.

Run by the Swift harness (IntegrationTests/BrowserTests) against a running suite:
    screens.py --base http://127.0.0.1:PORT --admin-token T --shots DIR --control DIR
The admin admin@example.com has the password "correct horse battery"; the greeting is the default.
Exits non-zero with the reason on the first failed check.
"""
import http.server
import threading

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from common import api, browser, by_id, check, fits, focused, main, pool_ids, press, quit_all, tab_to, wait

GREETING = "Hoş geldiniz! Deniz is here to help."
PHONE = (390, 844)


def shop(base):
    """Another site (its own port, so its own origin) that embeds the widget with the one tag."""
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Another shop</title>
<script src="{base}/widget.js" async></script></head>
<body><h1>Another shop</h1><p>Its script would like the visitor's token.</p></body></html>""".encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *arguments):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def keyboard_login(driver, base, email, password):
    driver.get(f"{base}/console/")
    wait(driver, "the login form", lambda d: d.find_elements(By.ID, "email"))
    check(focused(driver).get_attribute("id") == "email", "the e-mail field has the focus")
    press(driver, email, Keys.TAB, password, Keys.ENTER)
    wait(driver, f"{email}'s console", lambda d: d.find_elements(By.ID, "available-chats"))
    wait(driver, "the live stream", lambda d: d.find_element(By.ID, "live-state").text == "live")


def go(driver, section):
    """Reaches a section of the menu by Tab and opens it with Enter."""
    tab_to(driver, f"the {section} menu item", by_id(f"menu-{section}"))
    press(driver, Keys.ENTER)
    wait(driver, f"the {section} screen", lambda d: d.current_url.endswith(f"#/{section}"))


def replace_text(driver, field, text):
    tab_to(driver, field, by_id(field))
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.DELETE, text).perform()


def operator_row(driver, email):
    return [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.operators tbody tr") if email in row.text]


def admin_screens(admin, base, token):
    keyboard_login(admin, base, "admin@example.com", "correct horse battery")

    # Operators: create a colleague; the same e-mail twice is refused with the reason.
    go(admin, "operators")
    wait(admin, "the operators list", lambda d: operator_row(d, "admin@example.com"))
    for attempt in range(2):
        tab_to(admin, "the new operator's name", by_id("new-name"))
        press(admin, "Deniz Kaya", Keys.TAB, "deniz@example.com", Keys.TAB, "password-123", Keys.ENTER)
        if attempt == 0:
            wait(admin, "the new operator in the list", lambda d: operator_row(d, "deniz@example.com"))
    error = wait(admin, "the refusal of a second deniz@example.com", lambda d: d.find_element(By.CSS_SELECTOR, ".new-operator .error").text)
    check("email" in error.lower(), f"the refusal names the e-mail: {error!r}")
    check(len(operator_row(admin, "deniz@example.com")) == 1, "the refused operator was not added twice")
    row = operator_row(admin, "deniz@example.com")[0]
    check(" operator active no 0 " in f" {' '.join(row.split())} ", f"the list shows role, status, availability and load: {row!r}")

    # Customizations: a timezone that does not exist is refused and changes nothing; then the greeting.
    go(admin, "customizations")
    wait(admin, "the settings form", lambda d: d.find_elements(By.ID, "greeting_message"))
    before = api(base, "GET", "/settings", token)
    check(before["working_hours"] is None, "the desk starts always open")
    tab_to(admin, "Always open", by_id("always_open"))
    press(admin, Keys.SPACE)
    replace_text(admin, "timezone", "Mars/Olympus_Mons")
    replace_text(admin, "greeting_message", GREETING)
    tab_to(admin, "Save", by_id("save-settings"))
    press(admin, Keys.ENTER)
    error = wait(admin, "the refusal of the timezone", lambda d: d.find_element(By.CSS_SELECTOR, ".settings .error").text)
    check("timezone" in error, f"the refusal names the timezone: {error!r}")
    check(api(base, "GET", "/settings", token) == before, "a refused save changes nothing")
    tab_to(admin, "Always open", by_id("always_open"))
    press(admin, Keys.SPACE)
    tab_to(admin, "Save", by_id("save-settings"))
    press(admin, Keys.ENTER)
    wait(admin, "the saved settings", lambda d: any(t.text == "Saved" for t in d.find_elements(By.CSS_SELECTOR, ".toast")))
    saved = api(base, "GET", "/settings", token)["greeting_message"]
    check(saved == GREETING, f"the greeting is saved: {saved!r}")


def visitor_on_another_site(visitor, page):
    """Opens the widget by keyboard on the other site, starts a chat; returns the visitor's token key."""
    visitor.get(page)
    wait(visitor, "the widget on the other site", lambda d: d.find_elements(By.ID, "switchboard-widget"))
    button = tab_to(visitor, "the chat button", lambda e: e.tag_name == "button")
    check(button.text == "Chat with us", f"the chat button: {button.text!r}")
    press(visitor, Keys.ENTER)
    frame = visitor.execute_script("return document.getElementById('switchboard-widget').shadowRoot.querySelector('iframe')")
    check(visitor.execute_script("return window.innerWidth") == PHONE[0], "the screen is a phone's")
    check(frame.rect["x"] >= 0 and frame.rect["x"] + frame.rect["width"] <= PHONE[0], f"the panel fits the phone: {frame.rect}")
    fits(visitor, "the other site with the widget open")

    # The host page's script cannot reach into the panel, and holds nothing of the visitor's.
    theft = visitor.execute_script("""
        const frame = document.getElementById('switchboard-widget').shadowRoot.querySelector('iframe');
        let blocked = null;
        try { frame.contentWindow.localStorage.length; } catch (error) { blocked = error.name; }
        return { blocked, document: frame.contentDocument === null, keys: Object.keys(localStorage), cookie: document.cookie };""")
    check(theft == {"blocked": "SecurityError", "document": True, "keys": [], "cookie": ""},
          f"the host page cannot read the panel's storage: {theft}")

    visitor.switch_to.frame(frame)
    name = wait(visitor, "the start form", lambda d: d.find_elements(By.ID, "name"))[0]
    check(focused(visitor) == name, "the name field has the focus in the panel")
    press(visitor, "Elif Arslan", Keys.ENTER)
    greeting = wait(visitor, "the greeting", lambda d: d.find_elements(By.CSS_SELECTOR, "#messages li.message.system"))[0].text
    check(GREETING in greeting, f"the admin's new greeting: {greeting!r}")
    fits(visitor, "the panel")
    keys = visitor.execute_script("return Object.keys(localStorage)")
    check(keys, "the token is kept, in the panel's own storage")
    visitor.switch_to.default_content()


def operator_on_phone(deniz, visitor, base, shots):
    keyboard_login(deniz, base, "deniz@example.com", "password-123")
    fits(deniz, "the console")
    tab_to(deniz, "the chats switch", by_id("available-chats"))
    press(deniz, Keys.SPACE)
    wait(deniz, "the switch on", lambda d: d.find_element(By.ID, "available-chats").is_selected())
    go(deniz, "tickets")
    wait(deniz, "the tickets list", lambda d: d.find_elements(By.CSS_SELECTOR, "#tickets"))
    fits(deniz, "the Tickets screen")
    go(deniz, "pool")
    wait(deniz, "the visitor's chat in the Pool", lambda d: len(pool_ids(d)) == 1)
    fits(deniz, "the Pool")
    chat = pool_ids(deniz)[0]
    tab_to(deniz, "Take it on me", lambda e: "take" in (e.get_attribute("class") or "").split())
    press(deniz, Keys.ENTER)
    wait(deniz, "the conversation", lambda d: f"#/conversations/{chat}" in d.current_url)
    tab_to(deniz, "the composer", by_id("composer"))
    press(deniz, "Merhaba Elif, nasıl yardımcı olabilirim?", Keys.ENTER)
    wait(deniz, "the reply in the console", lambda d: any("nasıl yardımcı" in m.text for m in d.find_elements(By.CSS_SELECTOR, "#conversation-messages .body")))
    fits(deniz, "the conversation")
    deniz.save_screenshot(f"{shots}/console-phone.png")

    visitor.switch_to.frame(visitor.execute_script("return document.getElementById('switchboard-widget').shadowRoot.querySelector('iframe')"))
    wait(visitor, "the reply in the widget", lambda d: any("nasıl yardımcı" in m.text for m in d.find_elements(By.CSS_SELECTOR, "#messages li")))
    wait(visitor, "who answers", lambda d: "Deniz Kaya" in d.find_element(By.ID, "answering").text)
    visitor.switch_to.default_content()
    visitor.save_screenshot(f"{shots}/widget-phone.png")


def screens(base, token, shots, control):
    server, page = shop(base)
    admin, visitor, deniz = browser(), browser(*PHONE, phone=True), browser(*PHONE, phone=True)
    try:
        admin_screens(admin, base, token)
        visitor_on_another_site(visitor, page)
        operator_on_phone(deniz, visitor, base, shots)
        # The admin's Operators screen shows the colleague's availability and load as they are now.
        go(admin, "pool")
        go(admin, "operators")
        wait(admin, "Deniz available with one chat", lambda d: [r for r in operator_row(d, "deniz@example.com") if " yes 1 " in f" {' '.join(r.split())} "])
    finally:
        quit_all(admin, visitor, deniz)
        server.shutdown()


if __name__ == "__main__":
    main(screens, "the screens")
