"""The seed's story in three real browsers (headless Chromium through Selenium): two operators
in the console, one customer in the widget on a host page; then the offline story; last, an
operator's session ended from outside sends the console back to its login page.

Run by the Swift harness (IntegrationTests/BrowserTests) against a running suite:
    story.py --base http://127.0.0.1:PORT --admin-token T --shots DIR --control DIR
(the control folder is how it asks the test to stop and start the gateway).
Operators can@example.com and nazlican@example.com (password password-123) must exist.
Exits non-zero with the reason on the first failed check; saves screenshots into DIR.
"""
import datetime
import uuid
import zoneinfo

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from common import XSS, api, ask, browser, check, in_widget, login, main, pool_ids, quit_all, redrawn, wait


def story(base, admin, shots, control):
    can, nazlican, customer = browser(), browser(), browser(420, 760)
    try:
        login(can, base, "can@example.com")
        login(nazlican, base, "nazlican@example.com")
        for driver in (can, nazlican):
            driver.find_element(By.ID, "menu-pool").click()

        # The customer starts a chat from the widget on a shop's page: the greeting comes first.
        in_widget(customer, f"{base}/widget-demo/")
        wait(customer, "the start form", lambda d: d.find_elements(By.ID, "name"))
        customer.find_element(By.ID, "name").send_keys("Ayşe Yılmaz")
        customer.find_element(By.ID, "start-chat").click()
        wait(customer, "the greeting", lambda d: d.find_elements(By.CSS_SELECTOR, "#messages li.message.system"))
        customer.save_screenshot(f"{shots}/widget-chat.png")

        # The chat reaches both Pools live; both click "Take it on me" at once: one wins.
        for driver in (can, nazlican):
            wait(driver, "the chat in the Pool", lambda d: len(pool_ids(d)) == 1)
        can.save_screenshot(f"{shots}/console-pool.png")
        chat_id = pool_ids(can)[0]
        # Each click finds its button and clicks it in one step in the page: the Pool may redraw
        # between a lookup and a click, and both clicks must go out before either answer comes.
        for driver in (can, nazlican):
            driver.execute_script("document.querySelector(arguments[0]).click()", f'#pool-items li[data-id="{chat_id}"] button.take')
        winners = []
        for driver in (can, nazlican):
            wait(driver, "the take to settle", lambda d: f"#/conversations/{chat_id}" in d.current_url or d.find_elements(By.CSS_SELECTOR, ".toast.error"))
            if f"#/conversations/{chat_id}" in driver.current_url:
                winners.append(driver)
        check(len(winners) == 1, f"exactly one operator wins the take, got {len(winners)}")
        winner = winners[0]
        loser = nazlican if winner is can else can
        toast = loser.find_element(By.CSS_SELECTOR, ".toast.error").text
        check("already took it" in toast, f"the other operator is told who took it: {toast!r}")
        wait(loser, "the taken chat to leave the loser's Pool", lambda d: chat_id not in pool_ids(d))
        wait(customer, "the customer to see who answers", lambda d: "is answering" in d.find_element(By.ID, "answering").text)

        # Messages both ways; a body that looks like HTML stays text everywhere; the holder's bell rings.
        customer.find_element(By.ID, "message").send_keys(XSS + Keys.ENTER)
        wait(winner, "the customer's message", lambda d: any(m.text == XSS for m in d.find_elements(By.CSS_SELECTOR, "#conversation-messages .body")))
        check(not winner.find_elements(By.CSS_SELECTOR, "#conversation-messages img"), "no <img> element in the console")
        check(not customer.find_elements(By.CSS_SELECTOR, "#messages img"), "no <img> element in the widget")
        wait(winner, "the bell to count the message", lambda d: d.find_element(By.ID, "bell-count").text not in ("", "0"))
        check(winner.title.startswith("("), f"the count in the tab title: {winner.title!r}")
        composer = winner.find_element(By.ID, "composer")
        composer.send_keys("Merhaba! Hemen bakıyorum.")
        composer.send_keys(Keys.SHIFT, Keys.ENTER)
        composer.send_keys("İkinci satır." + Keys.ENTER)
        wait(customer, "the operator's reply in the widget", lambda d: any("Hemen bakıyorum" in m.text for m in d.find_elements(By.CSS_SELECTOR, "#messages li")))
        reply = [m.text for m in customer.find_elements(By.CSS_SELECTOR, "#messages li") if "Hemen bakıyorum" in m.text][0]
        check("İkinci satır." in reply and "\n" in reply, f"Shift+Enter keeps a new line: {reply!r}")
        winner.save_screenshot(f"{shots}/console-conversation.png")

        # A burst of messages is read once, not once per message: the open conversation tells
        # the server its reading position with one post of the highest seq, one post at a time.
        winner.execute_script("""
            const fetch = window.fetch;
            window.reads = { seqs: [], open: 0, most: 0 };
            window.fetch = async (url, options) => {
              if (!String(url).endsWith('/read')) return fetch(url, options);
              window.reads.seqs.push(JSON.parse(options.body).seq);
              window.reads.most = Math.max(window.reads.most, ++window.reads.open);
              try { return await fetch(url, options); } finally { window.reads.open -= 1; }
            };""")
        visitor_token = customer.execute_script("return localStorage.getItem('switchboard.visitor')")
        burst = [api(base, "POST", f"/visitor/conversations/{chat_id}/messages", visitor_token, {"body": body, "client_message_id": str(uuid.uuid4())})["seq"]
                 for body in ("Sipariş numaram 4711.", "Kargo hâlâ gelmedi.", "Adres doğru.", "Telefonum 0555 000 00 00.", "Teşekkürler!")]
        wait(winner, "the burst in the console", lambda d: all(d.find_elements(By.CSS_SELECTOR, f'#conversation-messages li[data-seq="{seq}"]') for seq in burst))
        reads = wait(winner, "the reading position of the burst's last message",
                     lambda d: (lambda r: r if max(burst) in r["seqs"] else None)(d.execute_script("return window.reads")))
        after_burst = [seq for seq in reads["seqs"] if seq >= min(burst)]
        check(len(after_burst) <= 2, f"{len(burst)} messages are read with one or two posts, not one each: {reads}")
        check(reads["most"] == 1, f"one reading post at a time: {reads}")

        # The gateway goes away and comes back: the console says so and recovers without a reload.
        winner.execute_script("window.switchboardMarker = 'no reload'")
        ask(control, "stop-gateway")
        wait(winner, "the console to show it is reconnecting", lambda d: "reconnecting" in d.find_element(By.ID, "live-state").text)
        ask(control, "start-gateway")
        wait(winner, "the console live again", lambda d: d.find_element(By.ID, "live-state").text == "live", seconds=40)
        check(winner.execute_script("return window.switchboardMarker") == "no reload", "the page was not reloaded")
        customer.find_element(By.ID, "message").send_keys("Hâlâ orada mısınız?" + Keys.ENTER)
        wait(winner, "a message after the reconnect", lambda d: any("Hâlâ orada mısınız?" == m.text
                                                                      for m in d.find_elements(By.CSS_SELECTOR, "#conversation-messages .body")), seconds=40)

        # Close → the Archive, which every operator sees; hiding is per operator.
        redrawn(winner, "closing", lambda d: d.find_element(By.ID, "close").click())
        wait(winner, "the Archive", lambda d: d.find_elements(By.CSS_SELECTOR, f'#archive-items li[data-id="{chat_id}"]'))
        loser.find_element(By.ID, "menu-archive").click()
        wait(loser, "the Archive for the colleague too", lambda d: d.find_elements(By.CSS_SELECTOR, f'#archive-items li[data-id="{chat_id}"]'))
        # The Archive searches message bodies, Turkish letters and all; a search that matches nothing says so.
        for term, found in (("orada mısınız", True), ("kargo iadesi yok", False)):
            search = loser.find_element(By.ID, "archive-search")
            search.clear()
            search.send_keys(term + Keys.ENTER)
            if found:
                wait(loser, f"the chat found by {term!r}", lambda d: [i.get_attribute("data-id") for i in d.find_elements(By.CSS_SELECTOR, "#archive-items li.item")] == [chat_id])
            else:
                wait(loser, f"nothing found by {term!r}", lambda d: d.find_elements(By.CSS_SELECTOR, "#archive-items li.empty"))
        loser.find_element(By.ID, "archive-search").clear()
        loser.find_element(By.ID, "archive-search").send_keys(Keys.ENTER)
        wait(loser, "the whole Archive again", lambda d: d.find_elements(By.CSS_SELECTOR, f'#archive-items li[data-id="{chat_id}"]'))
        winner.save_screenshot(f"{shots}/console-archive.png")
        redrawn(winner, "hiding", lambda d: d.find_element(By.CSS_SELECTOR, f'#archive-items li[data-id="{chat_id}"] button.hide').click())
        wait(winner, "the hidden chat to go", lambda d: not d.find_elements(By.CSS_SELECTOR, f'#archive-items li[data-id="{chat_id}"]'))
        redrawn(winner, "showing hidden ones", lambda d: d.find_element(By.ID, "archive-hidden").click())
        wait(winner, "the hidden chat when asked for", lambda d: d.find_elements(By.CSS_SELECTOR, f'#archive-items li.hidden[data-id="{chat_id}"]'))
        check(loser.find_elements(By.CSS_SELECTOR, f'#archive-items li[data-id="{chat_id}"]'), "hiding is only for the one who hid it")

        # The offline story: the desk closes; the widget offers the form, says when it opens, files a ticket.
        # Open only on the day after tomorrow (in Istanbul), whatever day and hour the test runs:
        # closed now, and the widget can say when it opens.
        settings = api(base, "GET", "/settings", admin)
        days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        open_day = days[(datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Istanbul")).weekday() + 2) % 7]
        settings["working_hours"] = {"timezone": "Europe/Istanbul", "weekly": {open_day: [["09:00", "18:00"]]}, "holidays": [], "closures": []}
        api(base, "PUT", "/settings", admin, settings)
        offline = browser(420, 760)
        try:
            in_widget(offline, f"{base}/widget-demo/")
            notice = wait(offline, "the offline form", lambda d: d.find_elements(By.ID, "offline-notice"))[0].text
            check("We're back" in notice, f"the widget says when the desk opens: {notice!r}")
            offline.find_element(By.ID, "offline-name").send_keys("Mehmet Demir")
            offline.find_element(By.ID, "offline-email").send_keys("mehmet@example.org")
            offline.find_element(By.ID, "offline-message").send_keys("Siparişim nerede?")
            offline.save_screenshot(f"{shots}/widget-offline.png")
            offline.find_element(By.ID, "send-offline").click()
            number = wait(offline, "the ticket number", lambda d: d.find_elements(By.ID, "ticket-number"))[0].text
            check("#100" in number, f"the ticket number is shown: {number!r}")
            # A returning visitor (the token kept in the widget's own storage) sees their earlier conversations.
            in_widget(offline, f"{base}/widget-demo/")
            wait(offline, "the earlier conversations", lambda d: d.find_elements(By.CSS_SELECTOR, "details.history"))

            def opened(d):
                history = d.find_element(By.CSS_SELECTOR, "details.history")
                if not history.get_attribute("open"):
                    history.find_element(By.TAG_NAME, "summary").click()
                return "Siparişim nerede?" in history.text

            wait(offline, "the earlier ticket listed in the opened history", opened)
        finally:
            offline.quit()
        loser.find_element(By.ID, "menu-pool").click()
        wait(loser, "the ticket in the Pool", lambda d: any("ticket" in item.text.lower() and "Mehmet Demir" in item.text
                                                           for item in d.find_elements(By.CSS_SELECTOR, "#pool-items li.item")))

        # The Tickets screen: the new ticket is unassigned; a colleague assigns it to the other operator.
        loser.find_element(By.ID, "menu-tickets").click()
        winner_name = winner.find_element(By.CSS_SELECTOR, ".who").text

        def ticket_row(d):
            return [r for r in d.find_elements(By.CSS_SELECTOR, "#tickets tbody tr") if "Mehmet Demir" in r.text]

        wait(loser, "the ticket on the Tickets screen", ticket_row)

        def assign(d):
            row = ticket_row(d)[0]
            for option in row.find_elements(By.CSS_SELECTOR, "select option"):
                if option.text.startswith(winner_name):
                    option.click()
            row.find_element(By.CSS_SELECTOR, "button").click()

        redrawn(loser, "assigning the ticket", assign)
        wait(loser, "the assigned ticket to leave the unassigned list",
             lambda d: not [r for r in d.find_elements(By.CSS_SELECTOR, "#tickets tbody tr") if "Mehmet Demir" in r.text])
        winner.find_element(By.ID, "menu-messages").click()
        wait(winner, "the assigned ticket in the other operator's Messages",
             lambda d: any("Mehmet Demir" in item.text for item in d.find_elements(By.CSS_SELECTOR, "#my-messages li.item")))

        # The session ends elsewhere (here its token is logged out through the API, as Log out in
        # another window does): the gateway closes its stream, and the console shows the login
        # page at once, without a reload, and forgets the token.
        loser.execute_script("window.switchboardMarker = 'no reload'")
        wait(loser, "the live stream", lambda d: d.find_element(By.ID, "live-state").text == "live")
        token = loser.execute_script("return localStorage.getItem('switchboard.session')")
        check(token, "the console keeps its session in localStorage")
        api(base, "POST", "/auth/logout", token)
        wait(loser, "the login page once the session ended", lambda d: d.find_elements(By.CSS_SELECTOR, "form.login"))
        check(loser.execute_script("return window.switchboardMarker") == "no reload", "the page was not reloaded")
        check(loser.execute_script("return localStorage.getItem('switchboard.session')") is None, "the ended session's token is forgotten")
        notice = loser.find_element(By.CSS_SELECTOR, "form.login .error").text
        check("session has ended" in notice, f"the login page says why: {notice!r}")
    finally:
        quit_all(can, nazlican, customer)


if __name__ == "__main__":
    main(story, "the browser story")
