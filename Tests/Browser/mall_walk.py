#!/usr/bin/env python3
"""A real-browser walk of the mall scoping rule (issue 17, docs/security.md "Malls"), headless Chromium via Selenium.

Run by scripts/mall-browser-test, which serves MallVIP with two malls (MAIN and BEE), an account manager of MAIN and
two members of theirs: one who bought at MAIN, one enrolled at BEE who never bought at MAIN. The account manager signs
in, searches for the BEE member by phone and by name and does not find them, opens the BEE member's page by its URL
and is refused (403, naming the rule), then finds the MAIN member and opens their page. Screenshots go to
--artifacts. Exits non-zero on the first failed check.
"""
import argparse
import os
import sys
import time
import traceback
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


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
                "--lang=zh-CN", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


class Walk:
    def __init__(self, driver, base, artifacts):
        self.d, self.base, self.artifacts, self.n = driver, base.rstrip("/"), artifacts, 0

    def open(self, path):
        self.d.get(self.base + path)

    def body(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def shot(self, name):
        self.n += 1
        self.d.save_screenshot(os.path.join(self.artifacts, f"{self.n:02d}-{name}.png"))

    def links_to(self, path):
        return [a for a in self.d.find_elements(By.CSS_SELECTOR, "a[href]")
                if urllib.parse.urlparse(a.get_attribute("href")).path == path]

    def wait_path(self, path, seconds=20):
        end = time.time() + seconds
        while time.time() < end:
            if urllib.parse.urlparse(self.d.current_url).path == path:
                return
            time.sleep(0.1)
        raise WalkFailed(f"expected to reach {path}, at {self.d.current_url}")

    def search(self, q):
        self.open("/console/members?q=" + urllib.parse.quote(q))


def walk(w, a):
    d = w.d
    print("1. the account manager of mall MAIN signs in")
    w.open("/login")
    d.find_element(By.NAME, "username").send_keys(a.username)
    d.find_element(By.NAME, "password").send_keys(a.password)
    d.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    w.wait_path("/console")
    check("维护人" in w.body(), "signed in as an account manager")
    w.shot("signed-in")

    member_b = f"/console/members/{a.member_b}"
    member_a = f"/console/members/{a.member_a}"
    print("2. the member of mall BEE is not found")
    w.search(a.phone_b)
    check(not w.links_to(member_b), "a search by the BEE member's phone lists no one")
    w.shot("search-b-phone")
    w.search(a.name_b[:1])
    check(not w.links_to(member_b), "a search by the BEE member's name does not list them")
    check(len(w.links_to(member_a)) >= 1, "the same name search lists the MAIN member (both are called 林…)")

    print("3. opening the BEE member's page by its URL is refused")
    w.open(member_b)
    body = w.body()
    check("不属于您负责的商场" in body, "the page says the member does not belong to my malls")
    check(a.phone_b not in body and a.name_b not in body, "nothing of the BEE member is shown")
    w.shot("member-b-refused")

    print("4. the member of mall MAIN is found and opened")
    w.search(a.phone_a)
    links = w.links_to(member_a)
    check(len(links) >= 1, "a search by the MAIN member's phone lists them")
    w.shot("search-a")
    links[0].click()
    w.wait_path(member_a)
    check(a.name_a in w.body(), "the MAIN member's page opens with their name")
    w.shot("member-a")


def main():
    p = argparse.ArgumentParser()
    for name in ("base-url", "username", "password", "member-a", "member-b", "phone-a", "phone-b", "name-a", "name-b",
                 "artifacts", "chromium", "chromedriver"):
        p.add_argument("--" + name, required=True)
    a = p.parse_args()
    os.makedirs(a.artifacts, exist_ok=True)
    try:
        driver = make_driver(a.chromium, a.chromedriver)
    except WebDriverException as e:
        print(f"mall walk: cannot start Chromium: {e}", file=sys.stderr)
        return 2
    w = Walk(driver, a.base_url, a.artifacts)
    try:
        walk(w, a)
        print("mall walk: passed")
        return 0
    except Exception as e:  # noqa: BLE001 - report any failure with a screenshot
        traceback.print_exc()
        try:
            w.shot("failure")
        except WebDriverException:
            pass
        print(f"mall walk: FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main())
