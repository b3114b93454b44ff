#!/usr/bin/env python3
"""A real-browser walk through the tenant co-funding statement (headless Chromium through Selenium).

Run by scripts/cofunding-browser-test, which fills a database with `mallvip demo`, applies a programme with a
`coFunding` section (default 500 per mille, C0001 1000, one unknown code), creates a manager and starts the server.
The walk: sign in, open 店柜积分分摊 from the menu (last month by default), check that every line's net is funding less
supplied and that the total row adds the lines up, the C0001 override and the unknown-code notice; step to the month
before and back through the month form; a bad month is refused naming the rule; print to PDF (the menu and the form
are hidden on paper); download the CSV with the session cookie (BOM, header, one row per counter of the page).
"""
import argparse
import base64
import csv
import datetime
import io
import os
import sys
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from console_walk import check, run_walk
from reports_walk import Walk


def fen(text):
    """'1,234.56' or '-0.50' → fen."""
    t = text.replace(",", "").strip()
    negative = t.startswith("-")
    whole, _, cents = t.lstrip("-").partition(".")
    value = int(whole) * 100 + int((cents + "00")[:2])
    return -value if negative else value


def table(d):
    """The statement's counter lines and its total row, as lists of cell texts."""
    rows = d.find_elements(By.CSS_SELECTOR, "#co-funding tbody tr[data-counter]")
    lines = [(r.get_attribute("data-counter"), [c.text for c in r.find_elements(By.CSS_SELECTOR, "td")]) for r in rows]
    total = [c.text for c in d.find_elements(By.CSS_SELECTOR, "#co-funding-total th, #co-funding-total td")]
    return lines, total


def month_before(key):
    y, m = int(key[:4]), int(key[5:7])
    return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"


def walk(w, args):
    d = w.d
    print("1. sign in as a manager; the menu has 店柜积分分摊")
    w.open("/console")
    w.wait.until(lambda d: "/login" in d.current_url)
    d.find_element(By.NAME, "username").send_keys(args.username)
    d.find_element(By.NAME, "password").send_keys(args.password)
    d.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    w.home_after_sign_in()
    entry = d.find_elements(By.CSS_SELECTOR, "header nav a[href='/console/finance/co-funding']")
    check(len(entry) == 1 and entry[0].text == "店柜积分分摊", "the manager's menu has the co-funding entry")

    print("2. last month's statement: lines, net = funding − supplied, the total adds up")
    entry[0].click()
    w.wait.until(EC.presence_of_element_located((By.ID, "co-funding")))
    today = datetime.date.fromisoformat(args.today)
    last = month_before(today.strftime("%Y-%m"))
    check(last in d.title, f"the default month is last month ({last}): {d.title}")
    lines, total = table(d)
    check(len(lines) >= 3, f"{len(lines)} counters issued points last month")
    sums = [0] * 8
    for code, cells in lines:
        # mall, counter, brand, share, earned, reversed, issued, cost, funding, redemptions, supplied, net
        earned, reversed_, issued = int(cells[4]), int(cells[5]), int(cells[6])
        cost, funding, supplied, net = fen(cells[7]), fen(cells[8]), fen(cells[10]), fen(cells[11])
        check(issued == earned - reversed_ and net == funding - supplied, f"{code}: issued {issued}, net {cells[11]}")
        share = int(cells[3].split("‰")[0])
        check(share == (1000 if code == "C0001" else 500), f"{code}: share {cells[3]}")
        check(abs(funding * 1000 - cost * share) <= 1000, f"{code}: funding {cells[8]} ≈ cost {cells[7]} × {share}‰")
        for i, v in enumerate((earned, reversed_, issued, cost, funding, int(cells[9]), supplied, net)):
            sums[i] += v
    got = [int(total[4]), int(total[5]), int(total[6]), fen(total[7]), fen(total[8]), int(total[9]), fen(total[10]), fen(total[11])]
    check(got == sums, f"the total row adds the lines up: {total[4:]}")
    own = dict(lines).get("C0001")
    check(own is None or own[3] == "1000‰ *", "C0001's share is marked as set for it in the programme")
    notice = d.find_elements(By.ID, "co-funding-unknown")
    check(len(notice) == 1 and "NO-SUCH-COUNTER" in notice[0].text, "the programme's unknown counter code is named")
    w.shot("co-funding-last-month")

    print("3. the month before with the arrow, back with the month form")
    before = month_before(last)
    d.find_element(By.CSS_SELECTOR, f"a[href='/console/finance/co-funding?month={before}']").click()
    w.wait.until(lambda d: before in d.title)
    check(d.find_element(By.ID, "co-funding").is_displayed(), f"the statement of {before}")
    field = d.find_element(By.NAME, "month")
    field.clear()
    field.send_keys(last)
    field.submit()
    w.wait.until(lambda d: last in d.title)
    check(table(d)[0] == lines, f"{last} again, the same lines")

    print("4. a bad month is refused naming the rule")
    w.open("/console/finance/co-funding?month=2026-13")
    body = d.find_element(By.TAG_NAME, "main").text
    check("月份格式须为 YYYY-MM" in body, f"refused: {body[:60]}")
    w.open(f"/console/finance/co-funding?month={last}")
    w.wait.until(EC.presence_of_element_located((By.ID, "co-funding")))

    print("5. printed to PDF: the menu and the month form are hidden on paper")
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    check(not d.find_element(By.CSS_SELECTOR, "header").is_displayed(), "print hides the navigation")
    check(not d.find_element(By.NAME, "month").is_displayed(), "print hides the month form")
    check(d.find_element(By.ID, "co-funding").is_displayed(), "print shows the statement")
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = d.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True,
                                                "preferCSSPageSize": True, "landscape": True})
    data = base64.b64decode(pdf["data"])
    path = os.path.join(w.artifacts, f"co-funding-{last}.pdf")
    with open(path, "wb") as f:
        f.write(data)
    check(data.startswith(b"%PDF") and len(data) > 5_000, f"a PDF of {len(data)} bytes ({path})")

    print("6. the month's CSV, with the session cookie: one row per counter of the page")
    href = d.find_element(By.ID, "co-funding-csv").get_attribute("href")
    req = urllib.request.Request(href, headers={"Cookie": w.cookie_header()})
    with urllib.request.urlopen(req, timeout=60) as resp:
        raw = resp.read()
        ctype = resp.headers.get("Content-Type", "")
        disposition = resp.headers.get("Content-Disposition", "")
    check(raw.startswith(b"\xef\xbb\xbf") and "text/csv" in ctype, "UTF-8 with BOM, served as text/csv")
    check(f"co-funding-{last}.csv" in disposition, f"file name {disposition}")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    check(rows[0][:7] == ["month", "mall", "counter", "counterName", "brand", "sharePermille", "pointsEarned"], f"header {rows[0][:7]}")
    check(all(len(r) == 14 and r[0] == last for r in rows[1:]), "14 columns, the month on every row")
    codes = [r[2] for r in rows[1:]]
    check(codes == [c for c, _ in lines], f"{len(codes)} rows, the page's counters in its order")
    with open(os.path.join(w.artifacts, f"co-funding-{last}.csv"), "wb") as f:
        f.write(raw)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base-url", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--today", required=True, help="the server's business day, YYYY-MM-DD")
    p.add_argument("--artifacts", default="artifacts/cofunding-browser")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = p.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    return run_walk("co-funding walk", Walk, walk, args)


if __name__ == "__main__":
    sys.exit(main())
