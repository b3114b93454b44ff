#!/usr/bin/env python3
"""The official-account sign-in (issue 22b) in a real browser at phone size (390×844): headless Chromium with a
WeChat user agent (MicroMessenger/8.0), Selenium.

Run by scripts/wechat-browser-test, which starts the WeChat simulator (Tests/Browser/wechat_simulator.py), the SMS
gateway stub and `mallvip serve` with MALLVIP_WECHAT_CONFIG, and enrols the member first. The walk: /m/wechat goes
to WeChat's authorize page (the simulator) and straight back to the callback; the openid is new, so the SMS-code
sign-in opens; the code is read from the gateway's log; the member lands on the page asked for (/m/points), signed
in; the profile shows 已绑定微信. Then the member cookie is dropped (a new WeChat web view) and a second /m/wechat goes
straight in, with no new SMS. A callback replayed with the same state is refused with a retry link. Screenshots of
each step go to --artifacts. Exits non-zero on the first failed check.
"""
import argparse
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

import member_walk
from member_walk import WIDTH, HEIGHT, Walk, check, run_walk

WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN")


def make_wechat_driver(chromium, chromedriver):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={WIDTH},{HEIGHT}",
                "--lang=zh-CN", "--disable-gpu", "--hide-scrollbars", f"--user-agent={WECHAT_UA}"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


def walk(w, a):
    d = w.d
    check("MicroMessenger/8.0" in d.execute_script("return navigator.userAgent"), "the browser is WeChat's (MicroMessenger/8.0)")

    print("1. first visit from the official account: WeChat → SMS code → bound")
    w.open("/m/wechat?next=%2Fm%2Fpoints")
    w.wait_path("/m/login")
    check(True, "WeChat's authorize page sent the browser back; the new openid needs the SMS-code sign-in")
    names = [c["name"] for c in d.get_cookies()]
    check("mallvip_wx_pending" in names, "the pending WeChat identity is in its own cookie")
    check(all(c.get("httpOnly") for c in d.get_cookies() if c["name"].startswith("mallvip_wx")), "the WeChat cookies are HttpOnly")
    w.phone_layout("sign-in from WeChat")
    w.shot("wechat-login")
    sent_before = len(w.sms_codes(a.phone))
    w.type("phone", a.phone)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    code = w.wait_code(a.phone, sent_before)
    w.type("code", code)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path("/m/points")
    check(w.count(".m-nav") == 1, "signed in, on the page asked for before WeChat (/m/points)")
    check("mallvip_wx_pending" not in [c["name"] for c in d.get_cookies()], "the pending cookie is cleared")
    w.shot("wechat-bound-points")
    w.open("/m/profile")
    check("已绑定微信" in d.page_source, "the profile shows 已绑定微信")
    w.phone_layout("profile with WeChat")
    w.shot("wechat-profile")

    print("2. second visit (a new web view): straight in, no SMS")
    d.delete_all_cookies()
    sms_count = len(w.sms_codes(a.phone))
    w.open("/m/wechat")
    w.wait_path("/m/card")
    check(w.count(".m-nav") == 1, "the bound openid signs in at once, on the card")
    time.sleep(0.5)
    check(len(w.sms_codes(a.phone)) == sms_count, "no SMS was sent the second time")
    w.phone_layout("card from WeChat")
    w.shot("wechat-second-visit")

    print("3. a replayed callback is refused")
    d.delete_all_cookies()
    w.open(f"/m/wechat/callback?code=REPLAYED&state=forged")
    check("state" in d.page_source and w.count("#wechat-retry") == 1, "a callback without its state cookie is refused, with a retry link")
    check(w.count(".m-nav") == 0, "and nobody is signed in")
    w.phone_layout("refused callback")
    w.shot("wechat-refused")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base-url", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--sms-log", required=True)
    p.add_argument("--artifacts", required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    a = p.parse_args()
    member_walk.make_driver = make_wechat_driver   # run_walk builds its driver through this name
    return run_walk("wechat walk", walk, a, a.sms_log)


if __name__ == "__main__":
    sys.exit(main())
