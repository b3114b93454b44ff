#!/usr/bin/env python3
"""One purchase, one earning across channels, reviewed in the console (issue 19, docs/workflows.md "Reviewing channel
duplicates").

Run by scripts/channels-browser-test, which serves MallVIP on a throw-away SQLite database with one member, a WeChat Pay
purchase of theirs (--wechat) and a till's copy of it five minutes later at the same counter for the same amount
(--till, accepted by the POS API), and a manager. The walk (desktop size): the manager signs in and opens 渠道积分
/console/channels, where points by channel show a till row, a WeChat Pay row and their total; sweeps the till purchases;
finds the pair under 待审核 with both receipts; confirms it with a note; the page confirms the reversal, the pair is no
longer open and is listed among the decisions with its refund DUP<n>; the CSV link is there. Screenshots of each step
go to --artifacts. Exits non-zero on the first failed check.
"""
import argparse
import sys

from selenium.webdriver.common.by import By

from member_walk import check, run_walk
from gifts_walk import desktop


def walk(w, a):
    page = "/console/channels"
    print("1. the manager signs in and opens points by channel")
    desktop(w)
    w.open(page)
    w.wait_path("/login")
    w.type("username", a.username)
    w.type("password", a.password)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path(page)
    report = w.text("table.channel-report")
    check("收银台" in report and "微信支付" in report and "合计" in report, "till, WeChat Pay and total rows")
    check(w.count("nav.menu a[href='/console/channels']") == 1, "the menu links the page")
    check(w.count("a[href^='/console/channels/report.csv']") == 1, "the CSV export is linked")
    w.shot("channels-report")

    print("2. the manager sweeps the till purchases and finds the pair to review")
    w.click(By.CSS_SELECTOR, "form[action='/console/channels/sweep'] button[type=submit]")
    w.wait_path(page)
    check("已扫描" in w.text("p.notice"), "the page reports the sweep")
    check(w.count("table.channel-review tr[data-flag]") == 1, "one pair to review")
    row = w.text("table.channel-review tr[data-flag]")
    check(a.wechat in row and a.till in row, "the pair shows the WeChat receipt and the till's copy")
    check("微信支付" in row and "收银台" in row, "each with its channel")
    w.shot("channels-to-review")

    print("3. the manager confirms: the till copy's points are reversed")
    note = w.d.find_element(By.CSS_SELECTOR, "table.channel-review tr[data-flag] form[action$='/confirm'] input[name=note]")
    note.send_keys("同一笔消费")
    w.click(By.CSS_SELECTOR, "table.channel-review tr[data-flag] form[action$='/confirm'] button[type=submit]")
    w.wait_path(page)
    check("已确认重复" in w.text("p.notice") and a.till in w.text("p.notice"), "the page confirms the reversal of the till copy")
    check(w.count("table.channel-review tr[data-flag]") == 0, "nothing left to review")
    decided = w.text("table.channel-decided")
    check("确认重复" in decided and "DUP" in decided and a.username in decided and "同一笔消费" in decided,
          "the decision is listed with its refund, reviewer and note")
    check("确认重复" in w.text("table.channel-duplicates"), "the duplicates table counts the confirmed match")
    w.shot("channels-confirmed")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base-url", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--wechat", required=True)
    p.add_argument("--till", required=True)
    p.add_argument("--artifacts", required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    a = p.parse_args()
    return run_walk("channels walk", walk, a)


if __name__ == "__main__":
    sys.exit(main())
