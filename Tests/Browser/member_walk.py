#!/usr/bin/env python3
"""A real-browser walk through the member pages (/m/) at phone size (390×844), headless Chromium via Selenium.

Run by scripts/member-browser-test, which starts the server with its SMS gateway pointed at the local stub
(Tests/Support/sms_gateway_stub.py, which logs each request) and enrols the member first. The walk: an unsigned
visit lands on the sign-in; the member asks for a code, reads it from the gateway's log, enters a wrong code (refused
with the tries left) and then the right one; the card page shows the card number with its barcode and QR code,
tier and points, and links the member's handbook (/m/programme: their tier, next tier, earning, rewards, benefits);
the points and purchases history list the enrolment receipt; on the profile the member opts out
of SMS, which shows at once; English is selectable; sign-out ends the session. On every page: the viewport is
390 px, nothing scrolls sideways, and buttons, links in the nav and inputs are at least 44 px tall. Screenshots of
each step go to --artifacts. Exits non-zero on the first failed check.
"""
import argparse
import json
import os
import sys
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

WIDTH, HEIGHT, SCALE = 390, 844, 2


class WalkFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise WalkFailed(message)
    print(f"  ok: {message}")


def make_driver(chromium, chromedriver):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={WIDTH},{HEIGHT}",
                "--lang=zh-CN", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


class Walk:
    def __init__(self, driver, base_url, artifacts, sms_log):
        self.d = driver
        self.base = base_url.rstrip("/")
        self.artifacts = artifacts
        self.sms_log = sms_log
        self.wait = WebDriverWait(driver, 20)
        self.shot_no = 0
        self.marker = 0
        self.phone_size()

    def phone_size(self, height=HEIGHT):
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": WIDTH, "height": height, "deviceScaleFactor": SCALE, "mobile": True})

    def open(self, path):
        self.d.get(self.base + path)

    def retry(self, fn):
        """Runs `fn` again when Chromium answers with a node of a document that has just been replaced."""
        for attempt in range(6):
            try:
                return fn()
            except (StaleElementReferenceException, WebDriverException) as e:
                transient = isinstance(e, StaleElementReferenceException) or "does not belong to the document" in str(e)
                if attempt == 5 or not transient:
                    raise
                time.sleep(0.25 * (attempt + 1))

    def text(self, css):
        return self.retry(lambda: self.d.find_element(By.CSS_SELECTOR, css).text)

    def count(self, css):
        return self.retry(lambda: len(self.d.find_elements(By.CSS_SELECTOR, css)))

    def attr(self, css, name):
        return self.retry(lambda: self.d.find_element(By.CSS_SELECTOR, css).get_attribute(name))

    def type(self, name, text, clear=False):
        def act():
            box = self.d.find_element(By.NAME, name)
            if clear:
                box.clear()
            box.send_keys(text)
        self.retry(act)

    def shot(self, name):
        """A full-page screenshot at phone width: the viewport grows to the page's height for the capture."""
        self.shot_no += 1
        height = self.d.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        self.phone_size(max(HEIGHT, min(int(height), 6000)))
        path = os.path.join(self.artifacts, f"{self.shot_no:02d}-{name}.png")
        try:
            self.d.save_screenshot(path)
        finally:
            self.phone_size()
        print(f"  screenshot: {path}")

    def click(self, by, what):
        """Clicks something that leads to another page and waits for that page to load."""
        self.marker += 1
        token = f"walk-{self.marker}"
        self.d.execute_script("window.__walkPage = arguments[0]", token)
        self.retry(lambda: self.d.find_element(by, what).click())

        def replaced(d):
            try:
                return d.execute_script(
                    "return window.__walkPage !== arguments[0] && document.readyState === 'complete'", token)
            except WebDriverException:
                return False
        try:
            self.wait.until(replaced)
        except TimeoutException:
            raise WalkFailed(f"the page did not change after the action (still {self.d.current_url})")

    def path(self):
        return self.d.current_url.replace(self.base, "").split("?")[0]

    def wait_path(self, prefix):
        try:
            self.wait.until(lambda d: self.path().startswith(prefix))
        except TimeoutException:
            raise WalkFailed(f"expected to reach {prefix}, still on {self.d.current_url}")

    def phone_layout(self, what):
        """The page fits the phone: 390 px viewport, no sideways scrolling, tap targets ≥ 44 px tall."""
        width = self.d.execute_script("return window.innerWidth")
        check(width == WIDTH, f"{what}: the viewport is {WIDTH} px wide")
        scroll = self.d.execute_script("return document.documentElement.scrollWidth")
        check(scroll <= WIDTH, f"{what}: nothing scrolls sideways ({scroll} px)")
        small = self.d.execute_script("""
            const out = [];
            for (const e of document.querySelectorAll('button, .button, .m-nav a, input:not([type=hidden]), select, textarea')) {
                // A check box is tapped through its label, which is the target that must be large enough.
                const target = (e.type === 'checkbox' || e.type === 'radio') && e.closest('label') ? e.closest('label') : e;
                const r = target.getBoundingClientRect();
                if (r.width > 0 && r.height < 44) out.push((e.textContent || e.name || e.tagName).trim() + ' ' + Math.round(r.height) + 'px');
            }
            return out;""")
        check(not small, f"{what}: every button, nav link and field is at least 44 px tall {small if small else ''}")

    def sms_codes(self, phone):
        """The codes sent to `phone`, oldest first, read from the gateway stub's log."""
        codes = []
        if not os.path.exists(self.sms_log):
            return codes
        with open(self.sms_log, encoding="utf-8") as f:
            for line in f:
                entry = json.loads(line)
                body = json.loads(entry["body"])
                if body.get("to") == phone:
                    digits = [w for w in body.get("text", "").replace("，", " ").split() if w.isdigit() and len(w) == 6]
                    if digits:
                        codes.append(digits[0])
        return codes

    def wait_code(self, phone, known):
        for _ in range(100):
            codes = self.sms_codes(phone)
            if len(codes) > known:
                return codes[-1]
            time.sleep(0.1)
        raise WalkFailed(f"no SMS to {phone} reached the gateway stub ({self.sms_log})")


def walk(w, a):
    d = w.d
    print("1. sign in by SMS code")
    w.open("/m/card")
    w.wait_path("/m/login")
    check(w.attr("html", "lang") == "zh-CN", "the member pages are in Chinese by default")
    check(w.count(".m-nav") == 0, "an unsigned visit lands on the sign-in, without the member menu")
    check(w.count("header nav a[href^='/console']") == 0, "no staff navigation on the member pages")
    check(w.attr("input[name=phone]", "type") == "tel", "the phone field brings up the phone keypad")
    w.phone_layout("sign-in")
    w.shot("login")
    sent_before = len(w.sms_codes(a.phone))
    w.type("phone", a.phone)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    masked = a.phone[:3] + "****" + a.phone[-4:]
    check(masked in w.text("p.notice"), f"the code page says where the code went ({masked})")
    code = w.wait_code(a.phone, sent_before)
    check(len(code) == 6, "the SMS gateway received a 6-digit code")
    wrong = str((int(code[0]) + 1) % 10) + code[1:]
    w.type("code", wrong)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    check("验证码错误，还可尝试 4 次" in w.text("p.error"), "a wrong code is refused with the tries left")
    check(w.attr("input[name=code]", "autocomplete") == "one-time-code", "the code field offers the SMS code")
    w.phone_layout("code entry")
    w.shot("code-wrong")
    w.type("code", code, clear=True)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path("/m/card")

    print("2. card")
    nav = w.retry(lambda: [a.text for a in w.d.find_elements(By.CSS_SELECTOR, ".m-nav a")])
    check({"卡", "积分", "优惠券", "礼品", "兑换", "推荐", "活动", "我的"} <= set(nav), f"the member menu has its entries, events and gifts among them: {nav}")
    check(w.text(".m-nav a[aria-current=page]") == "卡", "the menu marks the page it is on")
    check(w.text("p.card-number") == a.card, f"the card number is shown ({a.card})")
    check(w.count(".barcode svg") == 1, "the card has a barcode")
    check(w.count(".qr svg") == 1, "the card has a QR code")
    check(w.text(".points-balance") == str(a.points), f"points balance {a.points}")
    check(w.text("p.tier") != "", f"the tier is named ({w.text('p.tier')})")
    check(w.text("p.progress") != "", f"progress in plain words ({w.text('p.progress')})")
    w.phone_layout("card")
    w.shot("card")

    print("2b. the member's handbook (issue 18)")
    w.click(By.CSS_SELECTOR, "a[href='/m/programme']")
    w.wait_path("/m/programme")
    check(w.text("h1") == "会员手册", "the card page links the member's handbook")
    sections = w.retry(lambda: [e.get_attribute("data-section") for e in d.find_elements(By.CSS_SELECTOR, "section.handbook-section")])
    check({"tier", "nextTier", "earning", "redemption", "benefits"} <= set(sections), f"the handbook has its sections: {sections}")
    check("积分" in w.text("section[data-section=earning]"), "how points are earned is spelled out")
    check(w.text("section[data-section=tier]") != "", f"the member's own tier ({w.text('section[data-section=tier]')[:40]})")
    w.phone_layout("handbook")
    w.shot("handbook")

    print("3. history")
    w.click(By.CSS_SELECTOR, ".m-nav a[href='/m/points']")
    w.wait_path("/m/points")
    check(w.count("table.ledger tr") >= 2, "the points history lists the points earned")
    check(w.text(".m-nav a[aria-current=page]") == "积分", "the menu marks the points page")
    w.phone_layout("points")
    w.shot("points")
    w.click(By.CSS_SELECTOR, "a[href='/m/purchases']")
    w.wait_path("/m/purchases")
    check(a.receipt in w.text("table.purchases"), f"the purchases list the receipt {a.receipt}")
    w.phone_layout("purchases")
    w.shot("purchases")
    w.click(By.XPATH, f"//table[contains(@class,'purchases')]//a[normalize-space()='{a.receipt}']")
    w.wait_path("/m/purchases/")
    check(a.receipt in d.title, "one purchase opens with its receipt number")
    w.shot("purchase")

    print("4. opt out of SMS")
    w.click(By.CSS_SELECTOR, ".m-nav a[href='/m/profile']")
    w.wait_path("/m/profile")
    sms_row = "//section[@aria-labelledby='consent']//tr[td[1][normalize-space()='短信']]"
    check(w.retry(lambda: d.find_element(By.XPATH, sms_row + "/td[2]").text) == "已同意", "SMS consent is on")
    w.phone_layout("profile")
    w.shot("profile")
    w.click(By.XPATH, sms_row + "//button")
    w.wait_path("/m/profile")
    check(w.retry(lambda: d.find_element(By.XPATH, sms_row + "/td[2]").text) == "未同意", "SMS consent is off at once")
    check(w.count("p.notice") == 1, f"the change is confirmed ({w.text('p.notice')})")
    w.shot("opted-out")

    print("5. English, then sign out")
    w.click(By.CSS_SELECTOR, "form[action='/m/language'] button")
    w.wait_path("/m/profile")
    check(w.attr("html", "lang") == "en", "English is selectable")
    check("Card" in w.text(".m-nav"), "the member menu is in English")
    w.phone_layout("profile in English")
    w.shot("profile-en")
    w.click(By.CSS_SELECTOR, "form[action='/m/language'] button")
    check(w.attr("html", "lang") == "zh-CN", "back in Chinese")
    w.click(By.CSS_SELECTOR, "form[action='/m/logout'] button")
    w.wait_path("/m/login")
    w.open("/m/card")
    w.wait_path("/m/login")
    check(True, "after sign-out the card needs a new sign-in")
    w.shot("signed-out")



def run_walk(name, walk_fn, args, sms_log=None):
    """Runs one phone-size walk (member pages, survey, door check-in): 0 when every check passed, 1 otherwise,
    with a screenshot and the page source of the failure in args.artifacts."""
    os.makedirs(args.artifacts, exist_ok=True)
    driver = make_driver(args.chromium, args.chromedriver)
    w = Walk(driver, args.base_url, args.artifacts, sms_log)
    try:
        walk_fn(w, args)
        print(f"{name}: passed")
        return 0
    except Exception as e:
        print(f"{name}: FAILED: {e}")
        if not isinstance(e, WalkFailed):
            traceback.print_exc()
        try:
            w.shot("failure")
            with open(os.path.join(args.artifacts, "failure.html"), "w", encoding="utf-8") as f:
                f.write(driver.page_source)
        except Exception:
            pass
        return 1
    finally:
        driver.quit()

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base-url", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--card", required=True)
    p.add_argument("--receipt", required=True)
    p.add_argument("--points", type=int, required=True)
    p.add_argument("--sms-log", required=True)
    p.add_argument("--artifacts", required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    a = p.parse_args()
    return run_walk("member walk", walk, a, a.sms_log)

if __name__ == "__main__":
    sys.exit(main())
