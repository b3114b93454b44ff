#!/usr/bin/env python3
"""Issue 17: one view of a member, and a member's complaint from /m/ to the desk (headless Chromium via Selenium).

Run by scripts/memberview-browser-test, which serves MallVIP with the SMS gateway pointed at the local stub, enrols
a member with a purchase and creates a desk user. The walk: the member signs in on /m/ with the code read from the
stub's log, follows the card page's link to /m/complaints and files a complaint naming their receipt; it is listed
with its state. A desk clerk signs in to the console, finds the member, sees the figures and the timeline (the
purchase and the complaint among its entries), opens the "changes" tab — a plain link, the page carries no script —
and the actions dialog (a <details>, opened by the browser itself), then finds the complaint in the desk's
complaints list on the member channel with its SLA due time. Reuses the phone-size Walk of member_walk.py.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from member_walk import check, run_walk  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


def walk(w, a):
    d = w.d
    print("1. the member signs in on /m/")
    w.open("/m/card")
    w.wait_path("/m/login")
    sent_before = len(w.sms_codes(a.phone))
    w.type("phone", a.phone)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    code = w.wait_code(a.phone, sent_before)
    w.type("code", code)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path("/m/card")

    print("2. the member files a complaint with their receipt")
    w.click(By.CSS_SELECTOR, "a[href='/m/complaints']")
    w.wait_path("/m/complaints")
    w.retry(lambda: d.find_element(By.CSS_SELECTOR, "select[name=category] option[value='停车']").click())
    w.type("description", "出口排队四十分钟")
    w.type("receipt", a.receipt)
    w.shot("complaint-form")
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path("/m/complaints")
    check("已收到您的投诉" in w.text("p.notice"), "the member is told the complaint was received")
    mine = w.text("ul.complaints")
    check("停车" in mine and "已受理" in mine, f"the member sees the complaint and its state ({mine[:60]})")
    w.shot("complaint-listed")

    print("3. a desk clerk opens the member")
    w.open("/login")
    w.type("username", a.username)
    w.type("password", a.password)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path("/console")
    groups = w.retry(lambda: [e.text for e in d.find_elements(By.CSS_SELECTOR, "header nav .menu-title")])
    check("会员服务" in groups and "设置" not in groups, f"the desk's menu is grouped by task, without settings: {groups}")
    check(w.count("#todo") == 1, "the home page shows what needs doing today")
    w.open("/console/members?q=" + a.phone)
    w.click(By.CSS_SELECTOR, "main table a[href^='/console/members/']")
    check(w.count("div.grid.glance") == 1, "the member's figures: segment, RFM, ABC, frequency, churn, lottery")
    kinds = w.retry(lambda: [e.get_attribute("data-kind") for e in d.find_elements(By.CSS_SELECTOR, "table.timeline tr[data-kind]")])
    check("purchase" in kinds and "complaint" in kinds, f"the timeline holds the purchase and the complaint: {kinds}")
    check(d.execute_script("return document.scripts.length") == 0, "the member page carries no script")
    w.shot("member-timeline")

    print("4. a tab and a dialog without JavaScript")
    w.click(By.CSS_SELECTOR, "nav.tabs a[href$='?tab=changes']")
    check("tab=changes" in d.current_url, "the changes tab is its own address")
    check(w.text("nav.tabs a[aria-current=page]") == "资料变更记录", "the tab is marked as current")
    check(w.count("#changes") == 1 and w.count("#timeline") == 0, "the tab shows the change history instead of the timeline")
    w.retry(lambda: d.find_element(By.CSS_SELECTOR, "details#actions > summary").click())
    check(w.attr("details#actions", "open") is not None, "the actions dialog opens")
    check(d.find_element(By.CSS_SELECTOR, "details#actions a[href$='/edit']").is_displayed(), "its forms are there to use")
    w.shot("member-changes-tab")

    print("5. the desk sees the member's complaint, due by the member channel's SLA")
    w.click(By.CSS_SELECTOR, "header nav a[href='/console/complaints']")
    row = w.text("main table")
    check("会员自助" in row and "出口排队四十分钟" in row and "截止" in row, "listed on the member channel with its due times")
    w.shot("desk-complaints")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base-url", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--receipt", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--sms-log", required=True)
    p.add_argument("--artifacts", required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    a = p.parse_args()
    return run_walk("member view walk", walk, a, a.sms_log)


if __name__ == "__main__":
    sys.exit(main())
