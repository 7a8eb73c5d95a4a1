"""The customer's side of the Team work, short: the widget shows its place in the queue, the
customer ends the chat (then no message box and no "is answering"), starts again, and the
operator's customer panel beside the new chat shows the earlier one, one click away.

Run by the Swift harness (IntegrationTests/BrowserTests) against a running suite:
    customer.py --base http://127.0.0.1:PORT --admin-token T --shots DIR --control DIR
The operator can@example.com has the password "password-123".
Exits non-zero with the reason on the first failed check.
"""
from selenium.webdriver.common.by import By

from common import api, browser, check, fits, in_widget, login, main, quit_all, wait


def run(base, admin, shots, control):
    customer, operator = browser(width=600, height=860), browser()
    try:
        in_widget(customer, f"{base}/widget-demo/")
        wait(customer, "the welcome form", lambda d: d.find_elements(By.ID, "name"))
        customer.find_element(By.ID, "name").send_keys("Selin Acar")
        customer.find_element(By.ID, "email").send_keys("selin@example.org")
        customer.find_element(By.ID, "start-chat").click()
        queue = wait(customer, "the place in the queue", lambda d: [e for e in d.find_elements(By.ID, "queue") if e.is_displayed()])[0]
        check("next in line" in queue.text, f"the customer is told they are next: {queue.text!r}")
        check(customer.find_element(By.ID, "answering").text == "Waiting for an operator…", "waiting, nobody answering")
        first = wait(customer, "the chat in the Pool", lambda d: [i["id"] for i in api(base, "GET", "/pool", admin)["items"]])[0]

        # The customer ends it: said plainly, and no message box is left.
        customer.find_element(By.ID, "end-chat").click()
        customer.switch_to.alert.accept()
        wait(customer, "the chat saying it ended",
             lambda d: "You ended this chat." in d.find_element(By.ID, "chat-closed").text)
        check(not customer.find_elements(By.ID, "message"), "no message box in an ended chat")
        check("answering" not in customer.find_element(By.ID, "answering").text, "nobody is said to be answering")
        check(not customer.find_element(By.ID, "queue").is_displayed(), "no queue place once ended")
        customer.save_screenshot(f"{shots}/widget-ended.png")

        # The transcript, to the address given at the start; asked again, it was sent already.
        check(not customer.find_element(By.ID, "transcript-form").is_displayed(), "the transcript form waits for the link")
        customer.find_element(By.ID, "email-transcript").click()
        check(customer.find_element(By.ID, "transcript-email").get_attribute("value") == "selin@example.org",
              "the customer's own address is filled in")
        customer.find_element(By.ID, "send-transcript").click()
        sent = wait(customer, "the transcript on its way", lambda d: d.find_elements(By.ID, "transcript-sent"))[0]
        check("selin@example.org" in sent.text, f"the widget says where it went: {sent.text!r}")

        # They come back with another question.
        customer.find_element(By.ID, "start-again").click()
        wait(customer, "the welcome form again", lambda d: d.find_elements(By.ID, "name"))
        customer.find_element(By.ID, "name").send_keys("Selin Acar")
        customer.find_element(By.ID, "start-chat").click()
        second = wait(customer, "the new chat in the Pool",
                      lambda d: [i["id"] for i in api(base, "GET", "/pool", admin)["items"] if i["id"] != first])[0]

        # The operator opens it: the panel beside it shows the earlier chat, one click away.
        login(operator, base, "can@example.com")
        operator.get(f"{base}/console/#/conversations/{second}")
        link = wait(operator, "the earlier chat in the customer panel",
                    lambda d: d.find_elements(By.CSS_SELECTOR, f"#customer-conversations a[data-id='{first}']"))[0]
        check("ended by the customer" in link.text, f"the earlier chat says how it ended: {link.text!r}")
        check(operator.find_element(By.ID, "customer-name").text == "Selin Acar", "the panel names the customer")
        operator.save_screenshot(f"{shots}/console-customer-panel.png")
        link.click()
        wait(operator, "the earlier chat open", lambda d: d.current_url.endswith(f"#/conversations/{first}")
             and "ended by the customer" in d.find_element(By.ID, "holder").text)
        fits(operator, "the conversation with its customer panel")
    finally:
        quit_all(customer, operator)


if __name__ == "__main__":
    main(run, "customer.py")
