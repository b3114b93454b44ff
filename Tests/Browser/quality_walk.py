#!/usr/bin/env python3
"""A real-browser walk through data quality (issue 17; headless Chromium through Selenium).

Run by scripts/quality-browser-test, which fills a database with `mallvip demo --members 400`, creates a manager and
starts the server first. The walk: sign in as the manager, open 资料完整度 from the menu, check the completeness
table and that its totals add up over the rows, open the list behind the "no e-mail" total (its length equals the
count), open the suspected duplicates, download the birthday-card mailing list of a month through the form's own
URL with the session cookie (UTF-8 BOM, Chinese addresses, one row per member), see that download on the exports
page's audit list, and open this week's staff figures. Screenshots and the CSV go to --artifacts.
"""
import argparse
import os
import sys
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from console_walk import check, run_walk
from reports_walk import Walk  # the desktop walker with readyState waits and full-page shots


def walk(w, args):
    d = w.d
    print("1. sign in as a manager; 资料完整度 is in the menu")
    w.open("/console")
    w.wait.until(lambda d: "/login" in d.current_url)
    d.find_element(By.NAME, "username").send_keys(args.username)
    d.find_element(By.NAME, "password").send_keys(args.password)
    d.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    w.home_after_sign_in()
    link = d.find_elements(By.CSS_SELECTOR, "header nav a[href='/console/quality']")
    check(len(link) == 1, "the manager's menu has the data-quality entry")
    d.execute_script("arguments[0].click()", link[0])

    print("2. the completeness report: totals add up over the mall × account-manager rows")
    w.wait.until(EC.presence_of_element_located((By.ID, "completeness")))
    rows = d.find_elements(By.CSS_SELECTOR, "#completeness a[data-missing='email']")
    per_row = sum(int(a.text) for a in rows)
    total_email = int(d.find_element(By.ID, "total-email").text)
    check(len(rows) >= 1 and per_row == total_email, f"e-mail gaps per row add up to the total ({per_row} = {total_email})")
    check(int(d.find_element(By.ID, "total-any").text) >= total_email, "members incomplete in any way ≥ those without e-mail")
    check(not d.find_elements(By.CSS_SELECTOR, "script"), "no script on the page")
    w.shot("completeness")

    print("3. the list behind a count (audited view)")
    d.find_element(By.ID, "total-email").click()
    w.wait.until(EC.presence_of_element_located((By.ID, "quality-list")))
    listed = len(d.find_elements(By.CSS_SELECTOR, "#quality-list tr")) - 1
    check(listed == min(total_email, 500), f"the list shows the {total_email} members counted ({listed} rows)")
    w.shot("list-no-email")

    print("4. suspected duplicates")
    w.open("/console/quality/duplicates")
    check(d.find_elements(By.ID, "duplicates") or d.find_elements(By.ID, "no-duplicates"), "the duplicates page answers")
    w.shot("duplicates")

    print("5. the birthday-card mailing list of next month (managers only, audited)")
    w.open("/console/quality")
    form = d.find_element(By.ID, "mailing-form")
    month = Select(form.find_element(By.NAME, "month")).first_selected_option.get_attribute("value")
    action = form.get_attribute("action")
    href = action + "?" + urllib.parse.urlencode({"mall": "", "month": month})
    req = urllib.request.Request(href, headers={"Cookie": w.cookie_header()})
    with urllib.request.urlopen(req, timeout=60) as resp:
        raw = resp.read()
        ctype = resp.headers.get("Content-Type", "")
    check(raw.startswith(b"\xef\xbb\xbf") and "text/csv" in ctype, "a UTF-8 CSV with the byte-order mark")
    lines = [l for l in raw.decode("utf-8-sig").split("\r\n") if l]
    check(lines[0] == "cardNo,name,title,birthday,address,mall", f"its header: {lines[0]}")
    check(len(lines) > 1, f"{len(lines) - 1} addresses for month {month}")
    check(all(f"-{int(month):02d}-" in l.split(",")[3] for l in lines[1:]), "every birthday is in the month chosen")
    check(all("四川省" in l for l in lines[1:]), "every row carries an address")
    with open(os.path.join(w.artifacts, f"birthday-mailing-{int(month):02d}.csv"), "wb") as f:
        f.write(raw)
    w.open("/console/exports")
    check("export.birthdayMailing" in d.page_source, "the download is on the exports page's audit list")
    w.shot("exports-audit")

    print("6. staff figures of this week")
    w.open("/console/staff-figures")
    w.wait.until(EC.presence_of_element_located((By.ID, "cards-by-channel")))
    check("-W" in d.find_element(By.ID, "staff-period").text, "the default period is an ISO week")
    w.shot("staff-figures")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base-url", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--today", required=True, help="the server's business day, YYYY-MM-DD")
    p.add_argument("--artifacts", default="artifacts/quality-browser")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = p.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    return run_walk("quality walk", Walk, walk, args)


if __name__ == "__main__":
    sys.exit(main())
