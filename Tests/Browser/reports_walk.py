#!/usr/bin/env python3
"""A real-browser walk through the report packs (headless Chromium through Selenium).

Run by scripts/reports-browser-test, which fills a database with `mallvip demo`, creates a manager and starts the
server first. The walk: sign in as the manager, open the reports (default: the twelve months ending yesterday, the
demo's year) and check the calibration tiles and the server-drawn SVG charts, then the pack of a month and of a
year; print the year's pack to PDF through Chromium (print CSS, A4); download a table as CSV with the session cookie
and check it starts with the UTF-8 BOM and decodes to the Chinese headers. Screenshots and the PDF go to --artifacts.
"""
import argparse
import base64
import os
import sys
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from console_walk import check, run_walk


class Walk:
    def __init__(self, driver, base_url, artifacts):
        self.d = driver
        self.base = base_url.rstrip("/")
        self.artifacts = artifacts
        self.wait = WebDriverWait(driver, 60)
        self.shot_no = 0

    def open(self, path):
        self.d.get(self.base + path)
        self.wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def home_after_sign_in(self):
        """After the sign-in form is sent: wait for the console home page and its menu. The URL changes before the new
        document is there (seen once in CI: the menu read while the sign-in page was still the document)."""
        self.wait.until(lambda d: d.current_url.rstrip("/").endswith("/console")
                        and d.execute_script("return document.readyState") == "complete"
                        and d.find_elements(By.CSS_SELECTOR, "header nav .menu-group"))

    def shot(self, name):
        """A full-page screenshot: the viewport is set to the page's whole height for the capture."""
        self.shot_no += 1
        height = self.d.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1280, "height": max(800, min(int(height), 12000)), "deviceScaleFactor": 1, "mobile": False})
        path = os.path.join(self.artifacts, f"{self.shot_no:02d}-{name}.png")
        try:
            self.d.save_screenshot(path)
        finally:
            self.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        print(f"  screenshot: {path}")

    def view(self, name):
        """A screenshot of what the window shows now (readable at full size, unlike the whole page)."""
        self.shot_no += 1
        path = os.path.join(self.artifacts, f"{self.shot_no:02d}-{name}.png")
        self.d.save_screenshot(path)
        print(f"  screenshot: {path}")

    def tile(self, tile_id):
        return self.d.find_element(By.CSS_SELECTOR, f"#{tile_id} b").text

    def charts(self):
        return {k: len(self.d.find_elements(By.CSS_SELECTOR, f"svg.chart-{k}")) for k in ("lines", "bars", "heatmap")}

    def cookie_header(self):
        return "; ".join(f"{c['name']}={c['value']}" for c in self.d.get_cookies())


def walk(w, args):
    d = w.d
    print("1. sign in as a manager")
    w.open("/console")
    w.wait.until(lambda d: "/login" in d.current_url)
    d.find_element(By.NAME, "username").send_keys(args.username)
    d.find_element(By.NAME, "password").send_keys(args.password)
    d.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    w.home_after_sign_in()
    links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "header nav a")]
    check(any(h and h.endswith("/console/reports") for h in links), "the manager's menu has the reports entry")

    print("2. the default pack: the twelve months ending yesterday (the demo's year)")
    d.find_element(By.CSS_SELECTOR, "header nav a[href='/console/reports']").click()
    w.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#vip-share b")))
    share, ratio, spend = w.tile("vip-share"), w.tile("active-ratio"), w.tile("spend-per-card")
    print(f"  VIP share {share}, active ratio {ratio}, spend per active card {spend}")
    check(24.0 <= float(share.rstrip("%")) <= 28.5, f"VIP share about 26% ({share})")
    check(78.0 <= float(ratio.rstrip("%")) <= 86.0, f"active ratio about 82% ({ratio})")
    check(3000 <= float(spend.replace(",", "")) <= 3800, f"about 3,400 yuan per active card ({spend})")
    charts = w.charts()
    check(all(n > 0 for n in charts.values()), f"SVG line, bar and heat-map charts drawn on the server {charts}")
    check(not d.find_elements(By.CSS_SELECTOR, "script"), "no script on the page")
    w.shot("reports-last12")
    w.view("reports-last12-top")
    for section in ("table-trend", "table-migration", "table-rfm"):
        d.execute_script("document.getElementById(arguments[0]).previousElementSibling.scrollIntoView()", section)
        w.view(f"reports-last12-{section}")

    print("3. a monthly and an annual pack")
    year, month = args.today[:4], args.today[:7]
    for key, name in ((month, "month"), (year, "year")):
        w.open(f"/console/reports?p={key}")
        w.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "h2.report-title")))
        title = d.find_element(By.CSS_SELECTOR, "h2.report-title").text
        check(("月报" if name == "month" else "年报") in title, f"the {name} pack {key}: {title}")
        check(all(n > 0 for n in w.charts().values()), f"its charts are drawn ({w.charts()})")
        check(len(d.find_elements(By.CSS_SELECTOR, "table.report-table")) >= 10, "its tables are there")
        w.shot(f"reports-{name}")

    print("4. the annual pack printed to PDF (print CSS, A4)")
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    check(not d.find_element(By.CSS_SELECTOR, "header").is_displayed(), "print hides the navigation")
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = d.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True,
                                                "preferCSSPageSize": True})
    data = base64.b64decode(pdf["data"])
    path = os.path.join(w.artifacts, "report-year.pdf")
    with open(path, "wb") as f:
        f.write(data)
    check(data.startswith(b"%PDF") and len(data) > 20_000, f"a PDF of {len(data)} bytes ({path})")

    print("5. a table as CSV, with the session cookie")
    href = d.find_element(By.CSS_SELECTOR, "#table-departments a.csv").get_attribute("href")
    req = urllib.request.Request(href, headers={"Cookie": w.cookie_header()})
    with urllib.request.urlopen(req, timeout=60) as resp:
        raw = resp.read()
        ctype = resp.headers.get("Content-Type", "")
    check(raw.startswith(b"\xef\xbb\xbf"), "the CSV starts with the UTF-8 byte-order mark")
    text = raw.decode("utf-8-sig")
    header = text.split("\r\n")[0]
    check(header.startswith("课,销售额（元）,会员销售额（元）,VIP业绩占比"), f"Chinese headers: {header}")
    check("四课" in text and "text/csv" in ctype, "department names in Chinese, served as text/csv")
    with open(os.path.join(w.artifacts, "departments.csv"), "wb") as f:
        f.write(raw)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base-url", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--today", required=True, help="the server's business day, YYYY-MM-DD")
    p.add_argument("--artifacts", default="artifacts/reports-browser")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = p.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)

    return run_walk("reports walk", Walk, walk, args)


if __name__ == "__main__":
    sys.exit(main())
