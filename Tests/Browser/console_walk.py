#!/usr/bin/env python3
"""A real-browser walk through the MallVIP console (headless Chromium through Selenium).

Run by scripts/browser-test, which starts the server, creates the desk user and posts the qualifying
non-member purchase first. The walk: sign in, enrol the customer at the desk form, search for the
new member, open the member page, check the tier and the progress line, switch to English and check
again; then back in Chinese, give the member points through the POS API and redeem at the desk: the redeem
page offers VOUCHER-30 and shows why VOUCHER-50 is refused, the redemption issues a coupon with a Code 128
barcode, and voiding it returns the points (the catalogue comes from `mallvip rewards seed`). Screenshots of
each step go to --artifacts. Exits non-zero on the first failed check.
"""
import argparse
import datetime
import json
import os
import sys
import time
import traceback
import urllib.error
import urllib.request

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
        self.marker = 0

    def open(self, path):
        self.d.get(self.base + path)

    def text(self, css):
        return self.retry(lambda: self.d.find_element(By.CSS_SELECTOR, css).text)

    def attr(self, css, name):
        return self.retry(lambda: self.d.find_element(By.CSS_SELECTOR, css).get_attribute(name))

    def body(self):
        return self.text("body")

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

    def retry(self, fn):
        """Runs `fn` (a find plus an action), again if Chromium answers with a node of a document that has just
        been replaced: right after a navigation or a screenshot's device-metrics override it may briefly say
        "Node with given id does not belong to the document". Each attempt finds its elements afresh."""
        for attempt in range(6):
            try:
                return fn()
            except (StaleElementReferenceException, WebDriverException) as e:
                transient = isinstance(e, StaleElementReferenceException) or "does not belong to the document" in str(e)
                if attempt == 5 or not transient:
                    raise
                time.sleep(0.25 * (attempt + 1))

    def el(self, by, what):
        return self.d.find_element(by, what)

    def type(self, name, text, clear=False):
        def act():
            box = self.el(By.NAME, name)
            if clear:
                box.clear()
            box.send_keys(text)
        self.retry(act)

    def click(self, by, what):
        """Clicks an element that leads to another page and waits for that page."""
        self.navigate(lambda: self.el(by, what).click())

    def submit(self, form_css):
        self.click(By.CSS_SELECTOR, form_css + " button[type=submit]")

    def navigate(self, action):
        """Runs `action` (a click or a submit) and waits until a new document has replaced this one and loaded.

        The old document is marked with a script variable and the wait is for a document without it: asking an
        old element whether it went stale races Chromium, which may answer "Node with given id does not belong
        to the document" instead of the stale-element error while the page is being replaced."""
        self.marker += 1
        token = f"walk-{self.marker}"
        self.d.execute_script("window.__walkPage = arguments[0]", token)
        self.retry(action)

        def replaced(d):
            try:
                return d.execute_script(
                    "return window.__walkPage !== arguments[0] && document.readyState === 'complete'", token)
            except WebDriverException:
                return False  # between documents: ask again
        try:
            self.wait.until(replaced)
        except TimeoutException:
            raise WalkFailed(f"the page did not change after the action (still {self.d.current_url})")

    def wait_path(self, prefix):
        try:
            self.wait.until(lambda d: d.current_url.split("?")[0].replace(self.base, "").startswith(prefix))
        except TimeoutException:
            raise WalkFailed(f"expected to reach {prefix}, still on {self.d.current_url}")

    def open_dialogs(self):
        """The member page keeps its sections and actions in closed <details> dialogs (they work without script):
        open each by clicking its summary, as a clerk does, so that what they hold is visible to the checks."""
        def open_next():
            closed = [e for e in self.d.find_elements(By.CSS_SELECTOR, "details.dialog") if e.get_attribute("open") is None]
            if closed:
                closed[0].find_element(By.TAG_NAME, "summary").click()
            return len(closed)
        for _ in range(40):
            if self.retry(open_next) == 0:
                return
        raise WalkFailed("the member page's dialogs did not open")

    def no_error_page(self):
        title = self.d.title
        check(not title.split(" ")[0].isdigit(), f"no error page ({title})")

    def stat(self, label):
        """The value of one figure in the page's div.grid (积分余额, 等级, 卡号…)."""
        return self.text_x(f"//div[contains(@class,'grid')]/div[contains(@class,'stat')][span[normalize-space()='{label}']]/b")

    def text_x(self, xpath):
        return self.retry(lambda: self.d.find_element(By.XPATH, xpath).text)

    def count_x(self, xpath):
        return self.retry(lambda: len(self.d.find_elements(By.XPATH, xpath)))

    def get_json(self, path, key):
        """A POS API GET (not through the browser): the decoded JSON answer."""
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(request, timeout=20) as r:
            return json.loads(r.read().decode("utf-8"))

    def post_json(self, path, key, body):
        """A POS API call (not through the browser): returns (HTTP status, decoded JSON answer)."""
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode("utf-8"), method="POST",
                                         headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=20) as r:
                return r.status, json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")


def redeem_row(section, code):
    """XPath of the row for catalogue item `code` in the table under the heading `section` (现在可兑换 or 暂不可兑换)."""
    return (f"//table[preceding-sibling::h2[1][normalize-space()='{section}']]"
            f"//tr[td[1][contains(normalize-space(), '({code})')]]")


def walk(w, args):
    d = w.d
    print("1. sign in")
    w.open("/console")
    w.wait_path("/login")
    check("员工登录" in d.title, "an unsigned visit lands on the sign-in page")
    w.type("username", args.username)
    w.type("password", "wrong-password")
    w.submit("form.card")
    w.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.error")))
    check("用户名或密码错误" in w.text("p.error"), "a wrong password is refused")
    w.type("username", args.username, clear=True)
    w.type("password", args.password)
    w.shot("login")
    w.submit("form.card")
    w.wait_path("/console")
    w.no_error_page()
    check(w.attr("html", "lang") == "zh-CN", "the console is in Chinese by default")
    check("服务台" in w.text("header .who"), "the header names the desk role")
    check(not w.retry(lambda: d.find_elements(By.CSS_SELECTOR, "header nav a[href='/console/staff']")), "desk has no staff link")

    print("2. enrol at the desk")
    w.click(By.CSS_SELECTOR, "header nav a[href='/console/members/new']")
    w.wait_path("/console/members/new")
    w.type("phone", args.phone)
    w.type("name", args.name)
    w.retry(lambda: Select(d.find_element(By.NAME, "gender")).select_by_value("female"))
    w.type("receipts", args.receipt)
    w.retry(lambda: d.find_element(By.NAME, "consentSms").click())
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
    w.click(By.CSS_SELECTOR, "header a.brand")
    w.wait_path("/console")
    w.type("q", args.phone[-4:])
    w.navigate(lambda: d.find_element(By.NAME, "q").submit())
    w.wait_path("/console/members")
    rows = w.retry(lambda: [r.text for r in d.find_elements(By.CSS_SELECTOR, "main table tr")])
    check(len(rows) == 2, f"the last four digits find one member ({len(rows) - 1} found)")
    check(args.name in rows[1] and card in rows[1] and args.phone in rows[1],
          "the hit shows name, full phone (desk) and card")
    w.shot("search")
    for query in (card, args.phone, args.name):
        w.type("q", query, clear=True)
        w.navigate(lambda: d.find_element(By.NAME, "q").submit())
        check(args.name in w.text("main table"), f"search by {query!r} finds the member")
    w.click(By.LINK_TEXT, args.name)

    print("4. member page")
    w.wait.until(lambda d: d.current_url.split("?")[0] == member_url)
    w.no_error_page()
    w.open_dialogs()
    stats = w.text("div.grid")
    check("普卡" in stats, "tier 普卡 shown")
    check(card in stats, "card number shown")
    # The receipt earns args.points on an ordinary day and double on a double-points day (淡季周三, Feb–Apr): the
    # page must show what the POS lookup reports, and that must be one of the two.
    points = w.get_json(f"/api/v1/members/lookup?card={card}", args.api_key)["points"]
    check(points in (args.points, 2 * args.points), f"the enrolment receipt earned {points} points")
    check(f"{points:,}" in stats or str(points) in stats, f"points balance {points} shown")
    progress = w.text("p.progress")
    check(args.progress_zh in progress, f"progress line: {progress}")
    ledger = w.retry(lambda: [t.text for t in d.find_elements(By.TAG_NAME, "table") if "消费积分" in t.text])
    check(len(ledger) == 1, "the points ledger lists the earning")
    check(args.receipt in w.body(), "the purchase is listed with its receipt")
    w.shot("member")

    print("5. English")
    w.click(By.XPATH, "//header//button[normalize-space()='English']")
    w.wait.until(lambda d: w.attr("html", "lang") == "en")
    check(d.current_url.split("?")[0] == member_url, "the switch stays on the member page")
    w.open_dialogs()
    check("Regular" in w.text("div.grid"), "tier shown as Regular")
    progress = w.text("p.progress")
    check(args.progress_en in progress, f"progress line in English: {progress}")
    body = w.body()
    check("Points ledger" in body and "Purchases" in body, "headings in English")
    check("积分明细" not in body, "no Chinese headings left")
    w.shot("member-en")

    redeem(w, args, card, member_url)

    print("7. sign out")
    w.click(By.XPATH, "//header//button[normalize-space()='退出' or normalize-space()='Sign out']")
    w.wait_path("/login")
    w.open(member_url.replace(w.base, ""))
    w.wait_path("/login")
    check("员工登录" in d.title or "Staff sign-in" in d.title, "after signing out the member page asks for a sign-in")

    if args.planner_password:
        campaign(w, args)


def campaign(w, args):
    """A planner builds a segment (live count before saving), sends a campaign to it, and finds the message in the
    outbox, on the campaign's page and on the member's page; journeys and templates are listed."""
    d = w.d
    print("8. planner: segment, campaign, outbox")
    w.type("username", "planner", clear=True)
    w.type("password", args.planner_password, clear=True)
    w.submit("form.card")
    w.wait_path("/console")
    w.no_error_page()
    w.open("/console/segments/new")
    w.type("name", "短信会员")
    w.retry(lambda: d.find_element(By.NAME, "consent_sms").click())
    w.click(By.CSS_SELECTOR, "button[value=preview]")
    w.no_error_page()
    check(w.text("#segment-count") == "1", f"the live count before saving is 1 ({w.text('#segment-count')})")
    check(args.name not in w.text("div.panel table") and args.name[0] in w.text("div.panel table"),
          "the planner's sample masks the name")
    w.click(By.CSS_SELECTOR, "button[value=save]")
    check("已保存分群" in w.text("p.notice"), "the segment is saved")
    w.shot("segment")

    w.open("/console/campaigns/new")
    w.type("name", "冬季会员日")
    # Options carry their text in the label attribute (Plot), so pick by value.
    segment = w.retry(lambda: d.find_element(By.XPATH, "//select[@name='segmentId']/option[@label='短信会员（1）']")
                      .get_attribute("value"))
    w.retry(lambda: Select(d.find_element(By.NAME, "segmentId")).select_by_value(segment))
    w.type("body", "{name}{title}，冬季会员日凭卡到服务台领取热饮一杯。", clear=True)
    w.type("holdout", "0", clear=True)
    w.retry(lambda: d.find_element(By.NAME, "sendNow").click())
    w.click(By.CSS_SELECTOR, "button[value=schedule]")
    w.no_error_page()
    notice = w.text("p.notice")
    check("已发送：1 条待发，0 人对照组" in notice, f"the campaign is sent to the one member: {notice}")
    check("已发送" in w.text("main table"), "the campaign's status is sent")
    w.shot("campaign")

    w.open("/console/messages")
    rows = w.retry(lambda: [r.text for r in d.find_elements(By.CSS_SELECTOR, "main table tr") if "campaign:" in r.text])
    check(len(rows) == 1, f"the outbox holds one campaign message ({len(rows)})")
    # No SMS gateway is configured here: the message waits (queued, or deferred in quiet hours), never lost.
    check("待发送" in rows[0] or "延后" in rows[0], f"the message waits in the outbox: {rows[0]}")
    check("冬季会员日" in rows[0], "the outbox shows the text")
    w.shot("outbox")

    w.open("/console/journeys")
    w.no_error_page()
    check(w.count_x("//span[contains(@class,'off')]") >= 8, "journeys are listed, switched off in a new database")
    w.open("/console/templates")
    w.no_error_page()
    check("生日" in w.body(), "the seeded templates are listed")


AVAILABLE, UNAVAILABLE = "现在可兑换", "暂不可兑换"


def redeem(w, args, card, member_url):
    d = w.d
    print("6. redeem at the desk")
    w.click(By.XPATH, "//header//button[normalize-space()='中文']")
    w.wait.until(lambda d: w.attr("html", "lang") == "zh-CN")
    check(d.current_url.split("?")[0] == member_url, "back in Chinese on the member page")

    # Points through the POS API: 15,000-yuan purchases on the member's card until the balance reaches 3,000
    # (VOUCHER-30) while staying under 5,000 (VOUCHER-50). One purchase is 1,510 points, or 3,010 on a double-
    # points day (Feb–Apr; only the highest multiplier applies), so the balance lands between 3,000 and 5,000
    # whatever the date: two purchases on an ordinary day, one on a double-points day.
    balance = w.get_json(f"/api/v1/members/lookup?card={card}", args.api_key)["points"]
    for i in range(1, 4):
        if balance >= 3000:
            break
        occurred = datetime.datetime.now().astimezone().replace(microsecond=0).isoformat()
        status, answer = w.post_json("/api/v1/purchases", args.api_key, {
            "receiptNo": f"{args.receipt}-R{i}", "occurredAt": occurred, "card": card,
            "lines": [{"counter": "C0001", "amountFen": 1_500_000}]})
        check(status == 201 and isinstance(answer, dict), f"POS purchase {args.receipt}-R{i} on card {card} accepted ({status})")
        check(answer.get("member") is True and answer.get("cardNo") == card, "the purchase is the member's")
        balance = answer["pointsBalance"]
        print(f"     earned {answer['pointsEarned']} (factor {answer['factorPermille']}‰), balance {balance}")
    check(3000 <= balance < 5000, f"balance {balance} allows VOUCHER-30 but not VOUCHER-50")

    w.open(member_url.replace(w.base, ""))
    w.no_error_page()
    w.open_dialogs()
    check(w.stat("积分余额") == str(balance), f"the member page shows the new balance {balance}")
    w.click(By.CSS_SELECTOR, f"main a.button[href='{member_url.replace(w.base, '')}/redeem']")
    w.wait_path(member_url.replace(w.base, "") + "/redeem")
    w.no_error_page()
    check("积分兑换" in d.title, f"the redeem page ({d.title})")
    check(w.stat("积分余额") == str(balance), f"the redeem page shows balance {balance}")
    check(w.count_x(redeem_row(AVAILABLE, "VOUCHER-30")) == 1, "VOUCHER-30 is offered now")
    check(w.count_x(redeem_row(UNAVAILABLE, "VOUCHER-30")) == 0, "VOUCHER-30 is not among the refused")
    check(w.count_x(redeem_row(AVAILABLE, "VOUCHER-50")) == 0, "VOUCHER-50 is not offered")
    reasons = w.text_x(redeem_row(UNAVAILABLE, "VOUCHER-50") + "//li[@data-rule='redemption.points']")
    check(reasons == f"积分不足：需要 5,000 分，当前 {balance:,} 分", f"VOUCHER-50 shows why not: {reasons}")
    w.shot("redeem")

    w.click(By.XPATH, redeem_row(AVAILABLE, "VOUCHER-30") + "//button[@type='submit']")
    w.wait_path(member_url.replace(w.base, "") + "/redeem")
    w.no_error_page()
    after = balance - 3000
    notices = w.retry(lambda: [p.text for p in d.find_elements(By.CSS_SELECTOR, "p.notice")])
    check(any(n == f"已兑换 30元购物券，扣 3000 分，余额 {after} 分" for n in notices), f"redeemed: {notices}")
    check(w.stat("积分余额") == str(after), f"the balance is now {after}")
    coupon_href = w.attr("p.notice a[href^='/console/coupons/']", "href")
    code = coupon_href.rstrip("/").split("/")[-1]
    check(len(code) >= 6, f"a coupon was issued ({code})")
    history = w.text_x("//table[preceding-sibling::h2[1][normalize-space()='兑换记录']]")
    check("(VOUCHER-30)" in history and code in history and "已兑换" in history and "-3000" in history,
          "the redemption is listed with its coupon")

    w.click(By.CSS_SELECTOR, "p.notice a[href^='/console/coupons/']")
    w.wait_path("/console/coupons/" + code)
    w.no_error_page()
    coupon_url = d.current_url.split("?")[0]
    check(w.text("p.coupon-code") == code, f"the coupon page shows the code {code}")
    check(w.attr(".coupon-barcode svg.barcode", "data-code") == code, "an inline SVG barcode carries the code")
    bars = w.retry(lambda: len(d.find_elements(By.CSS_SELECTOR, ".coupon-barcode svg.barcode g rect")))
    check(bars > 10, f"the barcode has bars ({bars})")
    check("30" in w.text("p.coupon-value"), f"face value: {w.text('p.coupon-value')}")
    check(w.text("td.coupon-status") == "可用", "the coupon is usable")
    w.shot("coupon")

    w.click(By.LINK_TEXT, "返回会员")
    w.wait.until(lambda d: d.current_url.split("?")[0] == member_url)
    w.open_dialogs()
    check(w.stat("积分余额") == str(after), f"the member page shows {after} after the redemption")
    w.click(By.CSS_SELECTOR, f"main a.button[href='{member_url.replace(w.base, '')}/redeem']")
    w.wait_path(member_url.replace(w.base, "") + "/redeem")
    reason = "顾客改选礼品"
    w.type("reason", reason)
    w.click(By.XPATH, "//form[.//input[@name='reason']]//button[@type='submit']")
    w.wait_path(member_url.replace(w.base, "") + "/redeem")
    w.no_error_page()
    notice = w.text("p.notice")
    check(notice.startswith("已作废兑换 #") and notice.endswith("退回 3000 分"), f"voided: {notice}")
    check(w.stat("积分余额") == str(balance), f"the points are back: {balance}")
    history = w.text_x("//table[preceding-sibling::h2[1][normalize-space()='兑换记录']]")
    check(f"已作废：{reason}" in history, "the redemption's status says void, with the reason")
    check(w.count_x("//form[.//input[@name='reason']]") == 0, "no void form is left")
    check(w.count_x(redeem_row(AVAILABLE, "VOUCHER-30")) == 1, "VOUCHER-30 is offered again")
    w.shot("redeem-void")
    w.open(coupon_url.replace(w.base, ""))
    check(w.text("td.coupon-status") == "已作废", "the coupon is void too")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base-url", required=True)
    p.add_argument("--username", default="desk")
    p.add_argument("--password", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--name", default="陈静")
    p.add_argument("--receipt", required=True)
    p.add_argument("--api-key", required=True, help="a POS API key, for the member's purchase before the redemption")
    p.add_argument("--points", type=int, required=True)
    p.add_argument("--planner-password", help="a planner's password: walks segments, a campaign and the outbox")
    p.add_argument("--progress-zh", required=True)
    p.add_argument("--progress-en", required=True)
    p.add_argument("--artifacts", default="artifacts/browser")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = p.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)

    return run_walk("browser walk", Walk, walk, args)


def run_walk(name, walk_class, walk, args):
    """Runs walk(w, args) in a fresh headless Chromium. On any failure it keeps the evidence (failure.png and
    failure.html in the artifacts) and returns 1; else 0. The reports walk runs through here too."""
    started = time.time()
    driver = make_driver(args.chromium, args.chromedriver)
    w = walk_class(driver, args.base_url, args.artifacts)
    try:
        walk(w, args)
    except Exception as e:  # any failure: keep the evidence, exit non-zero
        print(f"FAILED: {e}", file=sys.stderr)
        if not isinstance(e, (WalkFailed, TimeoutException)):
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
    print(f"{name}: all checks passed in {time.time() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
