"""Files in a chat, in real browsers: the customer pastes a screenshot into the widget's message
box and sends it with a line of text; the operator's console shows its thumbnail (the image
loaded from the desk, not a broken one) and opens it full size; the operator answers with a
PDF chosen with the paperclip, which the customer sees as a named chip with its size; a file
dropped on the conversation uploads too, and one of a type the desk refuses says why.

Run by the Swift harness (IntegrationTests/BrowserTests) against a running suite:
    attachments.py --base http://127.0.0.1:PORT --admin-token T --shots DIR --control DIR
The operator can@example.com has the password "password-123".
Exits non-zero with the reason on the first failed check.
"""
import base64
import os
import struct
import tempfile
import zlib

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from common import api, browser, check, fits, in_widget, login, main, quit_all, wait


def png(width, height):
    """A real PNG of width × height: a blue square on white, drawn by hand (no imaging library)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b""
    for y in range(height):
        row = b"\x00"
        for x in range(width):
            inside = width // 4 <= x < 3 * width // 4 and height // 4 <= y < 3 * height // 4
            row += b"\x25\x63\xeb" if inside else b"\xff\xff\xff"
        rows += row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# Pasting as a browser does it: a ClipboardEvent whose DataTransfer holds a PNG File.
PASTE = """
const bytes = Uint8Array.from(atob(arguments[1]), (c) => c.charCodeAt(0));
const data = new DataTransfer();
data.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
const event = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
arguments[0].dispatchEvent(event);
return event.defaultPrevented;
"""

LOADED = "return arguments[0].complete && arguments[0].naturalWidth"


def run(base, admin, shots, control):
    customer, operator = browser(width=600, height=860), browser()
    try:
        in_widget(customer, f"{base}/widget-demo/")
        wait(customer, "the welcome form", lambda d: d.find_elements(By.ID, "name"))
        customer.find_element(By.ID, "name").send_keys("Deniz Yılmaz")
        customer.find_element(By.ID, "start-chat").click()
        wait(customer, "the chat", lambda d: d.find_elements(By.ID, "message"))
        chat = wait(customer, "the chat in the Pool", lambda d: [i["id"] for i in api(base, "GET", "/pool", admin)["items"]])[0]

        login(operator, base, "can@example.com")
        operator.get(f"{base}/console/#/conversations/{chat}")
        wait(operator, "Take it on me", lambda d: d.find_elements(By.ID, "take"))[0].click()
        wait(operator, "the composer", lambda d: d.find_element(By.ID, "composer").is_displayed())

        # The customer pastes a screenshot into the message box: it uploads at once.
        box = customer.find_element(By.ID, "message")
        taken = customer.execute_script(PASTE, box, base64.b64encode(png(120, 80)).decode())
        check(taken, "the widget takes the pasted image (the paste is not left to the text box)")
        wait(customer, "the pasted image uploaded", lambda d: d.find_elements(By.CSS_SELECTOR, ".attachment-tray .attachment-chip.ready"))
        box.send_keys("The checkout page shows this")
        box.send_keys(Keys.ENTER)
        mine = wait(customer, "the customer's own thumbnail",
                    lambda d: [i for i in d.find_elements(By.CSS_SELECTOR, "#messages .message.customer img.thumbnail") if d.execute_script(LOADED, i)])
        check(mine, "the widget shows the sent image")
        check(not customer.find_elements(By.CSS_SELECTOR, ".attachment-tray .attachment-chip"), "the tray empties once sent")

        # The operator sees the thumbnail: the image element loaded from the desk.
        thumbnail = wait(operator, "the thumbnail in the console",
                         lambda d: [i for i in d.find_elements(By.CSS_SELECTOR, "#conversation-messages .message.customer img.thumbnail")
                                    if d.execute_script(LOADED, i)])[0]
        check(operator.execute_script(LOADED, thumbnail) == 120, "the thumbnail is the 120-pixel-wide image")
        check(thumbnail.get_attribute("src").startswith("blob:"), "the image comes from a blob: URL, no token in any address")
        check("The checkout page shows this" in thumbnail.find_element(By.XPATH, "ancestor::li").text, "the text came with it")
        operator.save_screenshot(f"{shots}/console-attachment.png")
        thumbnail.click()
        full = wait(operator, "the image full size", lambda d: d.find_elements(By.CSS_SELECTOR, ".attachment-viewer img"))[0]
        check(operator.execute_script(LOADED, full) == 120, "the full-size image loaded")
        full.click()
        wait(operator, "the viewer closed", lambda d: not d.find_elements(By.CSS_SELECTOR, ".attachment-viewer"))

        # The operator answers with a PDF picked with the paperclip.
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "iade formu.pdf")
        with open(path, "wb") as file:
            file.write(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n" + b"0" * 2000)
        picker = operator.find_element(By.CSS_SELECTOR, ".composer input[type=file]")
        operator.execute_script("arguments[0].hidden = false", picker)
        picker.send_keys(path)
        wait(operator, "the PDF uploaded", lambda d: d.find_elements(By.CSS_SELECTOR, ".attachment-tray .attachment-chip.ready"))
        operator.find_element(By.ID, "composer").send_keys("Please fill in this form", Keys.ENTER)
        chip = wait(customer, "the PDF as a chip in the widget",
                    lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .message.operator .file-chip"))[0]
        check("iade formu.pdf" in chip.text and "KB" in chip.text, f"the chip names the file and its size: {chip.text!r}")
        customer.save_screenshot(f"{shots}/widget-attachment.png")
        fits(operator, "the conversation with files")

        # A file dropped on the conversation uploads too.
        drop = """
            const data = new DataTransfer();
            data.items.add(new File(['sipariş no 42'], 'not.txt', { type: 'text/plain' }));
            const zone = document.querySelector('.conversation-main');
            zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
            const drop = new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
            zone.dispatchEvent(drop);
            return drop.defaultPrevented;"""
        check(operator.execute_script(drop), "the console takes the dropped file")
        chip = wait(operator, "the dropped file uploaded", lambda d: d.find_elements(By.CSS_SELECTOR, ".attachment-tray .attachment-chip.ready"))[0]
        check("not.txt" in chip.text, f"the chip names the dropped file: {chip.text!r}")
        chip.find_element(By.CSS_SELECTOR, ".remove").click()
        wait(operator, "the tray empty again", lambda d: not d.find_elements(By.CSS_SELECTOR, ".attachment-tray .attachment-chip"))

        # Dropped again and sent without words: the list of my conversations names the file.
        operator.execute_script(drop)
        wait(operator, "the file uploaded again", lambda d: d.find_elements(By.CSS_SELECTOR, ".attachment-tray .attachment-chip.ready"))
        operator.find_element(By.ID, "composer").send_keys(Keys.ENTER)
        wait(operator, "the file alone as the list's preview",
             lambda d: "📎 not.txt" in d.find_element(By.CSS_SELECTOR, "#my-messages .preview").text)

        # A file of a type the desk does not take says why on its chip.
        bad = os.path.join(folder, "script.html")
        with open(bad, "w") as file:
            file.write("<script>alert(1)</script>")
        picker = operator.find_element(By.CSS_SELECTOR, ".composer input[type=file]")
        operator.execute_script("arguments[0].hidden = false", picker)
        picker.send_keys(bad)
        failed = wait(operator, "the refused file's chip", lambda d: d.find_elements(By.CSS_SELECTOR, ".attachment-tray .attachment-chip.failed"))[0]
        check("not taken" in failed.text, f"the chip says the type is not taken: {failed.text!r}")
    finally:
        quit_all(customer, operator)


if __name__ == "__main__":
    main(run, "attachments.py")
