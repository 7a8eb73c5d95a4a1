"""The live feel: the console shows the customer typing and clears it when their message
arrives; the widget shows the operator typing; "Seen" on both sides; day separators, times and
initials avatars; after the operator closes the chat the customer rates it, and the console
shows the rating on the conversation and in the Archive.

Run by the Swift harness (IntegrationTests/BrowserTests) against a running suite:
    live.py --base http://127.0.0.1:PORT --admin-token T --shots DIR --control DIR
The operator can@example.com ("Can Öztürk") has the password "password-123".
Exits non-zero with the reason on the first failed check.
"""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from common import api, browser, check, in_widget, login, main, quit_all, wait


def shown(driver, element_id):
    """The text of a displayed element, or "" while it is hidden or absent."""
    found = [e for e in driver.find_elements(By.ID, element_id) if e.is_displayed()]
    return found[0].text if found else ""



def expected_days(driver, list_selector):
    """The separators a list should show, from its messages' instants and the browser's own clock:
    "Today", or "Yesterday" for a chat that ran over midnight (the test names no fixed day)."""
    return driver.execute_script("""
        const labels = [];
        for (const item of document.querySelectorAll(arguments[0] + ' li.message[data-at]')) {
            const day = new Date(item.dataset.at), now = new Date();
            const yesterday = new Date(now); yesterday.setDate(now.getDate() - 1);
            const label = day.toDateString() === now.toDateString() ? 'Today'
                : day.toDateString() === yesterday.toDateString() ? 'Yesterday' : day.toDateString();
            if (labels[labels.length - 1] !== label) labels.push(label);
        }
        return labels;""", list_selector)

def run(base, admin, shots, control):
    customer, operator = browser(width=600, height=860), browser()
    try:
        in_widget(customer, f"{base}/widget-demo/")
        wait(customer, "the welcome form", lambda d: d.find_elements(By.ID, "name"))
        customer.find_element(By.ID, "name").send_keys("Nazlıcan Kaya")
        customer.find_element(By.ID, "start-chat").click()
        wait(customer, "the greeting", lambda d: d.find_elements(By.CSS_SELECTOR, "#messages li.message.system"))
        chat = wait(customer, "the chat in the Pool", lambda d: [i["id"] for i in api(base, "GET", "/pool", admin)["items"]])[0]

        login(operator, base, "can@example.com")
        operator.get(f"{base}/console/#/conversations/{chat}")
        wait(operator, "Take it on me", lambda d: d.find_elements(By.ID, "take"))[0].click()
        wait(operator, "the composer", lambda d: d.find_element(By.ID, "composer").is_displayed())

        # The customer types: the console says so, and stops saying it when the message arrives.
        box = customer.find_element(By.ID, "message")
        box.send_keys("Siparişim nerede")
        typing = wait(operator, "the customer typing in the console", lambda d: shown(d, "typing"))
        check("Nazlıcan Kaya is typing" in typing, f"the console names the typist: {typing!r}")
        wait(operator, "the typing in the chat's row of my list",
             lambda d: d.find_elements(By.CSS_SELECTOR, f'#my-messages li.typing-now[data-id="{chat}"] .typing-preview'))
        operator.save_screenshot(f"{shots}/console-typing.png")
        box.send_keys("?" + Keys.ENTER)
        wait(operator, "the customer's message", lambda d: any(m.text == "Siparişim nerede?" for m in d.find_elements(By.CSS_SELECTOR, "#conversation-messages .body")))
        wait(operator, "the indicator cleared by the message", lambda d: not shown(d, "typing"))

        # The operator types: the widget says so; the reply clears it.
        composer = operator.find_element(By.ID, "composer")
        composer.send_keys("Hemen bakıyorum")
        typing = wait(customer, "the operator typing in the widget", lambda d: shown(d, "typing"))
        check("Can Öztürk is typing" in typing, f"the widget names the typist: {typing!r}")
        customer.save_screenshot(f"{shots}/widget-typing.png")
        composer.send_keys(", bir dakika." + Keys.ENTER)
        wait(customer, "the reply in the widget", lambda d: any("bir dakika" in m.text for m in d.find_elements(By.CSS_SELECTOR, "#messages li.message")))
        wait(customer, "the indicator cleared by the reply", lambda d: not shown(d, "typing"))

        # Both have read everything: "Seen" under the customer's message in the widget and under the
        # operator's reply in the console.
        seen = wait(operator, "Seen in the console", lambda d: d.find_elements(By.CSS_SELECTOR, "#conversation-messages li.message.operator #seen"))[0]
        check("bir dakika" in seen.find_element(By.XPATH, "..").text, "Seen is under the reply the customer read")
        wait(customer, "Seen in the widget", lambda d: d.find_elements(By.CSS_SELECTOR, "#messages li.message.customer #seen"))
        # Times, the day, initials avatars.
        days = [d.text for d in customer.find_elements(By.CSS_SELECTOR, "#messages li.day")]
        check(days == expected_days(customer, "#messages"), f"a separator for each day, named from now: {days}")
        check(all(t.text for t in customer.find_elements(By.CSS_SELECTOR, "#messages li.message:not(.system) time.at")), "every message has its time")
        avatars = {a.text for a in customer.find_elements(By.CSS_SELECTOR, "#messages .avatar")}
        check(avatars == {"NK", "CÖ"}, f"initials of both: {avatars}")
        check([d.text for d in operator.find_elements(By.CSS_SELECTOR, "#conversation-messages li.day")]
              == expected_days(operator, "#conversation-messages"), "the console's day separators")
        customer.save_screenshot(f"{shots}/widget-live.png")

        # The operator closes the chat; the customer is asked how it went and answers.
        operator.get(f"{base}/console/#/conversations/{chat}")
        wait(operator, "Close", lambda d: d.find_elements(By.ID, "close"))[0].click()
        wait(customer, "the rating question", lambda d: "How was it?" in shown(d, "rating"))
        customer.find_element(By.ID, "star-4").click()
        customer.find_element(By.ID, "rating-comment").send_keys("Hızlı ve nazik, teşekkürler")
        customer.find_element(By.ID, "rating-send").click()
        thanks = wait(customer, "the thanks", lambda d: shown(d, "rating-thanks"))
        check("Thank you" in thanks and "4/5" in shown(customer, "rating"), f"thanks and the score: {shown(customer, 'rating')!r}")
        customer.save_screenshot(f"{shots}/widget-rating.png")

        # The console shows it in the Archive and on the conversation.
        operator.get(f"{base}/console/#/archive")
        stars = wait(operator, "the rating in the Archive",
                     lambda d: [s.text for s in d.find_elements(By.CSS_SELECTOR, f"#archive-items li[data-id='{chat}'] .rating")])
        check(stars == ["★★★★☆"], f"four stars in the Archive: {stars}")
        operator.get(f"{base}/console/#/conversations/{chat}")
        rating = wait(operator, "the rating on the conversation", lambda d: shown(d, "rating"))
        check("Rated 4/5" in rating and "Hızlı ve nazik" in rating, f"the rating with its comment: {rating!r}")
        operator.save_screenshot(f"{shots}/console-rating.png")
    finally:
        quit_all(customer, operator)


if __name__ == "__main__":
    main(run, "the live feel story")
