#!/usr/bin/env python3
"""A real-browser walk through the MallVIP console (headless Chromium through Selenium).

Run by scripts/browser-test, which starts the server, creates the desk user and posts the qualifying
non-member purchase first. The walk: sign in, enrol the customer at the desk form, search for the
new member, open the member page, check the tier and the progress line, switch to English and check
again. Screenshots of each step go to --artifacts. Exits non-zero on the first failed check.
"""
import argparse
import os
import sys
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait


class WalkFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise WalkFailed(message)
    print(f"  ok: {message}")


def make_driver(chromium, chromedriver):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--lang=zh-CN", "--disable-gpu"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


class Walk:
    def __init__(self, driver, base_url, artifacts):
        self.d = driver
        self.base = base_url.rstrip("/")
        self.artifacts = artifacts
        self.wait = WebDriverWait(driver, 20)
        self.shot_no = 0

    def open(self, path):
        self.d.get(self.base + path)

    def text(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css).text

    def body(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def shot(self, name):
        """A full-page screenshot: the viewport is set to the page's whole height for the capture."""
        self.shot_no += 1
        height = self.d.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1280, "height": max(800, min(int(height), 8000)), "deviceScaleFactor": 1, "mobile": False})
        path = os.path.join(self.artifacts, f"{self.shot_no:02d}-{name}.png")
        try:
            self.d.save_screenshot(path)
        finally:
            self.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        print(f"  screenshot: {path}")

    def submit(self, form_css):
        self.navigate(lambda: self.d.find_element(By.CSS_SELECTOR, form_css + " button[type=submit]").click())

    def navigate(self, action):
        """Runs `action` (a click or a submit) and waits until the next page has replaced this one.

        Right after a screenshot's device-metrics override Chromium may briefly answer element calls with
        "Node with given id does not belong to the document"; such a call is retried (the action had no effect)."""
        for attempt in range(3):
            try:
                old = self.d.find_element(By.TAG_NAME, "html")
                action()
                break
            except (StaleElementReferenceException, WebDriverException) as e:
                if attempt == 2 or not ("does not belong to the document" in str(e) or isinstance(e, StaleElementReferenceException)):
                    raise
                time.sleep(0.3)
        try:
            self.wait.until(EC.staleness_of(old))
        except TimeoutException:
            raise WalkFailed(f"the page did not change after the action (still {self.d.current_url})")

    def wait_path(self, prefix):
        try:
            self.wait.until(lambda d: d.current_url.split("?")[0].replace(self.base, "").startswith(prefix))
        except TimeoutException:
            raise WalkFailed(f"expected to reach {prefix}, still on {self.d.current_url}")

    def no_error_page(self):
        title = self.d.title
        check(not title.split(" ")[0].isdigit(), f"no error page ({title})")


def walk(w, args):
    d = w.d
    print("1. sign in")
    w.open("/console")
    w.wait_path("/login")
    check("员工登录" in d.title, "an unsigned visit lands on the sign-in page")
    d.find_element(By.NAME, "username").send_keys(args.username)
    d.find_element(By.NAME, "password").send_keys("wrong-password")
    w.submit("form.card")
    w.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.error")))
    check("用户名或密码错误" in w.text("p.error"), "a wrong password is refused")
    d.find_element(By.NAME, "username").clear()
    d.find_element(By.NAME, "username").send_keys(args.username)
    d.find_element(By.NAME, "password").send_keys(args.password)
    w.shot("login")
    w.submit("form.card")
    w.wait_path("/console")
    w.no_error_page()
    check(d.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == "zh-CN", "the console is in Chinese by default")
    check("服务台" in w.text("header .who"), "the header names the desk role")
    check(not d.find_elements(By.CSS_SELECTOR, "header nav a[href='/console/staff']"), "desk has no staff link")

    print("2. enrol at the desk")
    w.navigate(d.find_element(By.CSS_SELECTOR, "header nav a[href='/console/members/new']").click)
    w.wait_path("/console/members/new")
    d.find_element(By.NAME, "phone").send_keys(args.phone)
    d.find_element(By.NAME, "name").send_keys(args.name)
    Select(d.find_element(By.NAME, "gender")).select_by_value("female")
    d.find_element(By.NAME, "receipts").send_keys(args.receipt)
    d.find_element(By.NAME, "consentSms").click()
    w.shot("enrol-form")
    w.submit("form.card")
    w.wait.until(lambda d: "/console/members/" in d.current_url and "/new" not in d.current_url)
    w.no_error_page()
    notice = w.text("p.notice")
    check("办卡成功" in notice, f"enrolment succeeded: {notice}")
    card = notice.split("卡号")[-1].strip()
    check(card.isdigit() and len(card) >= 8, f"a card number was issued ({card})")
    member_url = d.current_url.split("?")[0]

    print("3. search")
    w.navigate(d.find_element(By.CSS_SELECTOR, "header a.brand").click)
    w.wait_path("/console")
    search = d.find_element(By.NAME, "q")
    search.send_keys(args.phone[-4:])
    w.navigate(search.submit)
    w.wait_path("/console/members")
    rows = d.find_elements(By.CSS_SELECTOR, "main table tr")
    check(len(rows) == 2, f"the last four digits find one member ({len(rows) - 1} found)")
    check(args.name in rows[1].text and card in rows[1].text and args.phone in rows[1].text,
          "the hit shows name, full phone (desk) and card")
    w.shot("search")
    for query in (card, args.phone, args.name):
        box = d.find_element(By.NAME, "q")
        box.clear()
        box.send_keys(query)
        w.navigate(box.submit)
        check(args.name in w.text("main table"), f"search by {query!r} finds the member")
    w.navigate(d.find_element(By.LINK_TEXT, args.name).click)

    print("4. member page")
    w.wait.until(lambda d: d.current_url.split("?")[0] == member_url)
    w.no_error_page()
    stats = w.text("div.grid")
    check("普卡" in stats, "tier 普卡 shown")
    check(card in stats, "card number shown")
    check(str(args.points) in stats, f"points balance {args.points} shown")
    progress = w.text("p.progress")
    check(args.progress_zh in progress, f"progress line: {progress}")
    ledger = [t for t in d.find_elements(By.TAG_NAME, "table") if "消费积分" in t.text]
    check(len(ledger) == 1, "the points ledger lists the earning")
    check(args.receipt in w.body(), "the purchase is listed with its receipt")
    w.shot("member")

    print("5. English")
    w.navigate(d.find_element(By.XPATH, "//header//button[normalize-space()='English']").click)
    w.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == "en")
    check(d.current_url.split("?")[0] == member_url, "the switch stays on the member page")
    check("Regular" in w.text("div.grid"), "tier shown as Regular")
    progress = w.text("p.progress")
    check(args.progress_en in progress, f"progress line in English: {progress}")
    body = w.body()
    check("Points ledger" in body and "Purchases" in body, "headings in English")
    check("积分明细" not in body, "no Chinese headings left")
    w.shot("member-en")

    print("6. sign out")
    w.navigate(d.find_element(By.XPATH, "//header//button[normalize-space()='Sign out']").click)
    w.wait_path("/login")
    w.open(member_url.replace(w.base, ""))
    w.wait_path("/login")
    check("员工登录" in d.title or "Staff sign-in" in d.title, "after signing out the member page asks for a sign-in")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base-url", required=True)
    p.add_argument("--username", default="desk")
    p.add_argument("--password", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--name", default="陈静")
    p.add_argument("--receipt", required=True)
    p.add_argument("--points", type=int, required=True)
    p.add_argument("--progress-zh", required=True)
    p.add_argument("--progress-en", required=True)
    p.add_argument("--artifacts", default="artifacts/browser")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = p.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)

    started = time.time()
    driver = make_driver(args.chromium, args.chromedriver)
    w = Walk(driver, args.base_url, args.artifacts)
    try:
        walk(w, args)
    except Exception as e:  # any failure: keep the evidence, exit non-zero
        print(f"FAILED: {e}", file=sys.stderr)
        if not isinstance(e, WalkFailed):
            traceback.print_exc()
        try:
            driver.save_screenshot(os.path.join(args.artifacts, "failure.png"))
            with open(os.path.join(args.artifacts, "failure.html"), "w", encoding="utf-8") as f:
                f.write(f"<!-- {driver.current_url} -->\n" + driver.page_source)
            print(f"  page at failure: {driver.current_url} (failure.png, failure.html)", file=sys.stderr)
        except Exception:
            pass
        return 1
    finally:
        driver.quit()
    print(f"browser walk: all checks passed in {time.time() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
