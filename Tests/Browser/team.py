"""Running a desk, in four real browsers: an admin deactivates an operator whose console is
open; it returns to the login page, and the chat they held comes back to a colleague's Pool with
the bell's sound and a desktop notification; the customer sees their place in the queue; the
colleague takes it, and the customer panel shows the customer's earlier conversation. Last, the
Team screen shows who is at the desk.

Run by the Swift harness (IntegrationTests/BrowserTests) against a running suite:
    team.py --base http://127.0.0.1:PORT --admin-token T --shots DIR --control DIR
Operators can@example.com and nazlican@example.com (password password-123) must exist.
"""
from selenium.webdriver.common.by import By

from common import api, browser, check, in_widget, login, main, pool_ids, quit_all, redrawn, wait

# What the colleague's page shows and plays, seen from inside it: the real Notification and
# AudioContext still do their work; these only count the calls.
SPIES = """
window.alerted = [];
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) { super(title, options); window.alerted.push(options && options.body); }
};
window.beeps = 0;
const RealAudio = window.AudioContext;
window.AudioContext = class extends RealAudio { constructor(...rest) { super(...rest); window.beeps += 1; } };
"""


def start_chat(customer, name):
    wait(customer, "the start form", lambda d: d.find_elements(By.ID, "name"))
    customer.find_element(By.ID, "name").send_keys(name)
    customer.find_element(By.ID, "start-chat").click()
    wait(customer, "the greeting", lambda d: d.find_elements(By.CSS_SELECTOR, "#messages li.message.system"))


def team(base, admin_token, shots, control):
    admin, can, nazlican, customer = browser(), browser(), browser(), browser(420, 760)
    try:
        # The customer asked once before and ended that chat; now they ask again.
        in_widget(customer, f"{base}/widget-demo/")
        start_chat(customer, "Elif Koç")
        earlier = wait(customer, "the first chat in the Pool", lambda d: [i["id"] for i in api(base, "GET", "/pool", admin_token)["items"]])[0]
        customer.find_element(By.ID, "end-chat").click()
        customer.switch_to.alert.accept()
        wait(customer, "the first chat ended", lambda d: d.find_elements(By.ID, "chat-closed"))
        customer.find_element(By.ID, "start-again").click()
        start_chat(customer, "Elif Koç")
        chat = wait(customer, "the second chat in the Pool",
                    lambda d: [i["id"] for i in api(base, "GET", "/pool", admin_token)["items"] if i["id"] != earlier])[0]

        # Two operators at the desk; Can takes the chat.
        login(can, base, "can@example.com")
        login(nazlican, base, "nazlican@example.com")
        can.find_element(By.ID, "menu-pool").click()
        redrawn(can, "taking the chat", lambda d: d.find_element(By.CSS_SELECTOR, f'#pool-items li[data-id="{chat}"] button.take').click())
        wait(can, "the chat open", lambda d: f"#/conversations/{chat}" in d.current_url)
        wait(customer, "Can answering", lambda d: "Can Öztürk" in d.find_element(By.ID, "answering").text)

        # Nazlıcan turns the bell's sound on and watches the Pool.
        nazlican.find_element(By.ID, "bell").click()
        redrawn(nazlican, "the sound switch", lambda d: d.find_element(By.CSS_SELECTOR, "#bell-list .sound input").click())
        nazlican.find_element(By.ID, "menu-pool").click()
        wait(nazlican, "the Pool open, the bell closed", lambda d: not d.find_element(By.ID, "bell-list").is_displayed())
        check(nazlican.execute_script("return Notification.permission") == "granted", "the browser allows desktop alerts")
        nazlican.execute_script(SPIES)

        # The admin deactivates Can from the Operators screen.
        login(admin, base, "admin@example.com", password="correct horse battery", available=False)
        admin.find_element(By.ID, "menu-operators").click()
        row = wait(admin, "Can's row", lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "table.operators tr") if r.get_attribute("data-email") == "can@example.com"])[0]
        row.find_element(By.CSS_SELECTOR, "button.deactivate").click()
        dialog = wait(admin, "the confirmation", lambda d: [e for e in d.find_elements(By.ID, "active-dialog") if e.is_displayed()])[0]
        dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(admin, "Can marked deactivated", lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "table.operators tr")
                                                         if r.get_attribute("data-email") == "can@example.com" and "deactivated" in r.text])

        # Can's open console goes back to its login page; his chat is back in the Pool.
        wait(can, "Can's console at the login page", lambda d: d.find_elements(By.CSS_SELECTOR, "form.login"))
        wait(nazlican, "the chat back in Nazlıcan's Pool", lambda d: chat in pool_ids(d))
        alerted = wait(nazlican, "a desktop notification", lambda d: d.execute_script("return window.alerted"))
        check(any("Elif Koç" in (body or "") for body in alerted), f"the notification names the customer: {alerted!r}")
        wait(nazlican, "the bell's sound", lambda d: d.execute_script("return window.beeps") >= 1)
        check(nazlican.title.startswith("("), f"the count in the tab title: {nazlican.title!r}")
        nazlican.save_screenshot(f"{shots}/console-returned.png")

        # The customer is told they wait again, and where they stand.
        queue = wait(customer, "the place in the queue", lambda d: [e for e in d.find_elements(By.ID, "queue") if e.is_displayed()])[0]
        check("next in line" in queue.text, f"the customer's place: {queue.text!r}")
        wait(customer, "the customer told they are back in line", lambda d: "Back in line" in d.find_element(By.ID, "answering").text)
        check("Can Öztürk" not in customer.find_element(By.ID, "answering").text, "nobody gone is said to be answering")
        customer.save_screenshot(f"{shots}/widget-queue.png")

        # Nazlıcan takes it; the customer panel shows the earlier chat, one click away.
        redrawn(nazlican, "taking the returned chat",
                lambda d: d.find_element(By.CSS_SELECTOR, f'#pool-items li[data-id="{chat}"] button.take').click())
        wait(nazlican, "the chat open", lambda d: f"#/conversations/{chat}" in d.current_url)
        # Taken: its Pool alerts are settled, and the bell counts them no more.
        wait(nazlican, "the bell settled", lambda d: d.find_element(By.ID, "bell-count").text in ("", "0"))
        wait(nazlican, "the earlier chat in the customer panel",
             lambda d: d.find_elements(By.CSS_SELECTOR, f"#customer-conversations a[data-id='{earlier}']"))
        def history(d):
            audit = d.find_element(By.CSS_SELECTOR, "details.audit")
            if not audit.get_attribute("open"):
                audit.find_element(By.TAG_NAME, "summary").click()
            return "deactivated" in audit.text

        wait(nazlican, "the assignment history saying why it came back", history)
        wait(customer, "Nazlıcan answering", lambda d: "Nazlıcan" in d.find_element(By.ID, "answering").text)

        # The Team screen: who is at the desk and who holds what.
        admin.find_element(By.ID, "menu-team").click()
        row = wait(admin, "Nazlıcan on the Team screen", lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#team-rows tr") if "Nazlıcan" in r.text and "Elif Koç" in r.text])[0]
        check("Online" in row.text, f"Nazlıcan is online: {row.text!r}")
        admin.save_screenshot(f"{shots}/console-team.png")
    finally:
        quit_all(admin, can, nazlican, customer)


if __name__ == "__main__":
    main(team, "team.py")
