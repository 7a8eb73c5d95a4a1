"""The operators' tools in real browsers: a canned reply inserted with `/` (placeholders filled
in) reaches the customer; an internal note shows in the console, marked, and never in the widget;
the conversation workspace in three panes on a wide window and one at a time on a phone.

Run by the Swift harness (IntegrationTests/BrowserTests) against a running suite:
    tools.py --base http://127.0.0.1:PORT --admin-token T --shots DIR --control DIR
The operator can@example.com ("Can Öztürk", password "password-123") must exist.
Exits non-zero with the reason on the first failed check; saves screenshots into DIR.
"""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from common import api, browser, check, fits, in_widget, login, main, quit_all, wait

NOTE = "Internal: VIP customer, refund already approved"


def shown(driver, selector):
    elements = driver.find_elements(By.CSS_SELECTOR, selector)
    return bool(elements) and elements[0].is_displayed()


def run(base, admin, shots, control):
    api(base, "POST", "/canned-responses", admin, {
        "shortcut": "welcome", "title": "Welcome", "scope": "desk",
        "body": "Hello {{customer.first_name}}, I'm {{operator.name}}. How can I help?"})
    api(base, "POST", "/canned-responses", admin, {
        "shortcut": "refund", "title": "Refund policy", "scope": "desk",
        "body": "Refunds take 3-5 working days, {{customer.first_name}}."})
    customer, can = browser(width=600, height=860), browser(width=1400, height=900)
    phone = None
    try:
        in_widget(customer, f"{base}/widget-demo/")
        wait(customer, "the welcome form", lambda d: d.find_elements(By.ID, "name"))
        customer.find_element(By.ID, "name").send_keys("Selin Acar")
        customer.find_element(By.ID, "start-chat").click()
        chat = wait(customer, "the chat in the Pool", lambda d: [i["id"] for i in api(base, "GET", "/pool", admin)["items"]])[0]
        customer.find_element(By.ID, "message").send_keys("Merhaba, siparişim nerede?" + Keys.ENTER)

        # Can takes it from its page.
        login(can, base, "can@example.com")
        can.get(f"{base}/console/#/conversations/{chat}")
        wait(can, "Take it on me", lambda d: d.find_elements(By.ID, "take"))[0].click()
        wait(can, "the chat to be Can's", lambda d: "with Can" in d.find_element(By.ID, "holder").text)

        # Three panes side by side: my conversations, the conversation, the customer.
        wait(can, "the chat in my list", lambda d: d.find_elements(By.CSS_SELECTOR, f'#my-messages li.current[data-id="{chat}"]'))
        wait(can, "the customer panel", lambda d: d.find_element(By.ID, "customer-name").text == "Selin Acar")
        panes = [can.find_element(By.ID, name) for name in ("inbox", "conversation-pane", "customer-panel")]
        check(all(pane.is_displayed() for pane in panes), "all three panes show on a wide window")
        boxes = [pane.rect for pane in panes]
        check(all(box["width"] >= 240 for box in boxes), f"each pane has room: {boxes}")
        check(boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"] + 1 and boxes[1]["x"] + boxes[1]["width"] <= boxes[2]["x"] + 1,
              f"list, conversation and customer side by side, left to right: {boxes}")
        check(not shown(can, "#back-to-list"), "no back button when everything shows")
        fits(can, "the three panes")

        # `/` opens the canned responses, typing filters them, Enter inserts one filled in.
        composer = can.find_element(By.ID, "composer")
        composer.click()
        composer.send_keys("/")
        wait(can, "the canned responses", lambda d: len(d.find_elements(By.CSS_SELECTOR, "#canned-list li.canned-item")) == 2)
        composer.send_keys("we")
        wait(can, "the list filtered to /welcome", lambda d: [e.get_attribute("data-shortcut") for e in d.find_elements(By.CSS_SELECTOR, "#canned-list li.canned-item")] == ["welcome"])
        can.save_screenshot(f"{shots}/console-canned.png")
        composer.send_keys(Keys.ESCAPE)
        wait(can, "Escape to close the list", lambda d: not shown(d, "#canned-list"))
        check(composer.get_attribute("value") == "/we", "Escape leaves what was typed")
        composer.send_keys(Keys.BACKSPACE, Keys.BACKSPACE)
        wait(can, "the whole list again", lambda d: len(d.find_elements(By.CSS_SELECTOR, "#canned-list li.canned-item")) == 2)
        composer.send_keys(Keys.ARROW_DOWN, Keys.ARROW_UP, Keys.ENTER)
        expected = "Hello Selin, I'm Can Öztürk. How can I help?"
        wait(can, "the canned reply filled in", lambda d: d.find_element(By.ID, "composer").get_attribute("value") == expected)
        check(not can.find_elements(By.CSS_SELECTOR, "#conversation-messages li.operator"), "inserting does not send")
        composer.send_keys(Keys.ENTER)
        wait(customer, "the canned reply in the widget", lambda d: any(expected in m.text for m in d.find_elements(By.CSS_SELECTOR, "#messages li")))

        # An internal note: marked in the console, never in the widget.
        can.find_element(By.ID, "mode-note").click()
        composer.send_keys(NOTE + Keys.ENTER)
        note = wait(can, "the note in the timeline", lambda d: d.find_elements(By.CSS_SELECTOR, "#conversation-messages li.message.note"))[0]
        check("internal note" in note.text.lower() and NOTE in note.text, f"the note is labelled: {note.text!r}")
        background = note.value_of_css_property("background-color")
        operator_background = can.find_element(By.CSS_SELECTOR, "#conversation-messages li.message.operator").value_of_css_property("background-color")
        check(background != operator_background, f"a note looks unlike a reply: {background} vs {operator_background}")
        can.find_element(By.ID, "mode-reply").click()
        composer.send_keys("Anything else I can do?" + Keys.ENTER)
        wait(customer, "the reply after the note", lambda d: any("Anything else" in m.text for m in d.find_elements(By.CSS_SELECTOR, "#messages li")))
        check(NOTE not in customer.page_source and "Internal note" not in customer.page_source, "the widget never shows the note")
        can.save_screenshot(f"{shots}/console-three-panes.png")
        customer.save_screenshot(f"{shots}/widget-after-note.png")

        # A phone: one pane at a time, with a way back.
        phone = browser(width=390, height=844, phone=True)
        login(phone, base, "can@example.com", available=False)
        phone.get(f"{base}/console/#/conversations/{chat}")
        wait(phone, "the conversation on a phone", lambda d: shown(d, "#conversation-pane") and d.find_elements(By.CSS_SELECTOR, "#conversation-messages li.message.note"))
        check(not shown(phone, "#inbox") and not shown(phone, "#customer-panel"), "only the conversation shows on a phone")
        fits(phone, "the conversation on a phone")
        phone.save_screenshot(f"{shots}/console-phone-conversation.png")
        phone.find_element(By.ID, "show-customer").click()
        wait(phone, "the customer pane", lambda d: shown(d, "#customer-panel") and not shown(d, "#conversation-pane"))
        wait(phone, "the customer's name", lambda d: d.find_element(By.ID, "customer-name").text == "Selin Acar")
        fits(phone, "the customer pane on a phone")
        phone.find_element(By.ID, "back-to-conversation").click()
        wait(phone, "back to the conversation", lambda d: shown(d, "#conversation-pane") and not shown(d, "#customer-panel"))
        phone.find_element(By.ID, "back-to-list").click()
        wait(phone, "my conversations", lambda d: d.current_url.endswith("#/messages") and shown(d, "#inbox")
             and d.find_elements(By.CSS_SELECTOR, f'#my-messages li[data-id="{chat}"]'))
        check(not shown(phone, ".empty-pane"), "the list alone on a phone")
        fits(phone, "the list on a phone")
        phone.save_screenshot(f"{shots}/console-phone-list.png")
        phone.find_element(By.CSS_SELECTOR, f'#my-messages li[data-id="{chat}"] a').click()
        wait(phone, "the conversation again", lambda d: shown(d, "#conversation-pane") and not shown(d, "#inbox"))

        # Canned responses under Customizations: an operator adds their own.
        can.find_element(By.ID, "menu-customizations").click()
        wait(can, "the canned responses section", lambda d: d.find_elements(By.CSS_SELECTOR, "#canned-rows tr[data-shortcut='welcome']"))
        can.find_element(By.ID, "canned-shortcut").send_keys("thanks")
        can.find_element(By.ID, "canned-title").send_keys("Thanks")
        can.find_element(By.ID, "canned-body").send_keys("Thank you, {{customer.nickname}}!")
        can.find_element(By.ID, "canned-save").click()
        wait(can, "the unknown placeholder named", lambda d: "{{customer.nickname}}" in d.find_element(By.CSS_SELECTOR, "#canned-form .error").text)
        body = can.find_element(By.ID, "canned-body")
        body.clear()
        body.send_keys("Thank you, {{customer.first_name}}!")
        can.find_element(By.ID, "canned-save").click()
        wait(can, "my canned response listed", lambda d: d.find_elements(By.CSS_SELECTOR, "#canned-rows tr[data-shortcut='thanks']"))
        desk_row = can.find_element(By.CSS_SELECTOR, "#canned-rows tr[data-shortcut='welcome']")
        check("Edit" not in desk_row.text, "an operator cannot edit the desk's")
        can.save_screenshot(f"{shots}/console-canned-settings.png")
    finally:
        quit_all(*[driver for driver in (customer, can, phone) if driver])


if __name__ == "__main__":
    main(run, "tools.py")
