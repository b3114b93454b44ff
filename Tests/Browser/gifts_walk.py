#!/usr/bin/env python3
"""A member collects a birthday gift at the desk and finds it on their phone (issue 18 "Gifts with a record").

Run by scripts/gifts-browser-test, which serves MallVIP on a throw-away SQLite database with its SMS gateway pointed at
the local stub (Tests/Support/sms_gateway_stub.py), one member enrolled with a birthday in this month, a desk user, and
`mallvip jobs run` done (it issues the birthday gift). The walk: the desk signs in (desktop size) and opens the member
page, where the gift waits under 待领取礼品; the desk hands it over at "1F 服务台"; the page confirms it and the gift is
no longer offered; the gift record says who, when and where. Then the member signs in on /m/ by SMS code at phone
size, opens 礼品 from the member menu and finds the birthday gift under 已领取 with the place. Screenshots of each step
go to --artifacts. Exits non-zero on the first failed check.
"""
import argparse
import sys

from selenium.webdriver.common.by import By

from member_walk import check, run_walk


def desktop(w):
    """The desk works at a desktop screen; the member part goes back to the phone (w.phone_size)."""
    w.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    w.d.set_window_size(1280, 900)
    w.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})


def walk(w, a):
    member = f"/console/members/{a.member}"
    print("1. the desk signs in and finds the gift to collect on the member page")
    desktop(w)
    w.open(member)
    w.wait_path("/login")
    w.type("username", a.username)
    w.type("password", a.password)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path(member)
    check(w.count("section#gifts") == 1, "the member page shows gifts to collect")
    check("生日礼品" in w.text("section#gifts"), "the birthday gift is waiting")
    w.shot("desk-gift-to-collect")

    print("2. the desk hands it over")
    place = w.d.find_element(By.CSS_SELECTOR, "section#gifts input[name=where]")
    place.clear()
    place.send_keys("1F 服务台")
    w.click(By.CSS_SELECTOR, "section#gifts button.gift-hand-over")
    w.wait_path(member)
    check("已发放：生日礼品" in w.text("p.notice"), "the page confirms the hand-over")
    check(w.count("section#gifts") == 0 or "生日礼品" not in w.text("section#gifts"), "the gift is no longer offered")
    # The record sits in a closed <details>: its text is in the page source.
    check("已领取" in w.d.page_source and "1F 服务台" in w.d.page_source and a.username in w.d.page_source,
          "the gift record says collected, where and by whom")
    w.shot("desk-handed-over")

    print("3. the member signs in on the phone")
    w.phone_size()
    w.open("/m/gifts")
    w.wait_path("/m/login")
    sent_before = len(w.sms_codes(a.phone))
    w.type("phone", a.phone)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    code = w.wait_code(a.phone, sent_before)
    check(len(code) == 6, "the SMS gateway received a 6-digit code")
    w.type("code", code)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path("/m/")

    print("4. the member finds the gift collected")
    w.click(By.CSS_SELECTOR, ".m-nav a[href='/m/gifts']")
    w.wait_path("/m/gifts")
    w.phone_layout("gifts")
    collected = ".gift-collected"
    check(w.count(collected) == 1, "one collected gift")
    check("生日礼品" in w.text(collected) and "1F 服务台" in w.text(collected), "the birthday gift, collected at 1F 服务台")
    check("已领取" in w.text("main") if w.count("main") else "已领取" in w.d.page_source, "listed under 已领取")
    check(w.count(".gift-open") == 0 or "生日礼品" not in w.text(".gift-open"), "not listed as still to collect")
    w.shot("member-gifts-collected")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base-url", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--member", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--sms-log", required=True)
    p.add_argument("--artifacts", required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    a = p.parse_args()
    return run_walk("gifts walk", walk, a, sms_log=a.sms_log)


if __name__ == "__main__":
    sys.exit(main())
