#!/usr/bin/env python3
"""A real-browser walk of the mall scoping rule (issue 17, docs/security.md "Malls"), headless Chromium via Selenium.

Run by scripts/mall-browser-test, which serves MallVIP with two malls (MAIN and BEE), an account manager of MAIN and
two members of theirs: one who bought at MAIN, one enrolled at BEE who never bought at MAIN. The account manager signs
in, searches for the BEE member by phone and by name and does not find them, opens the BEE member's page by its URL
and is refused (403, naming the rule), then finds the MAIN member and opens their page. Screenshots go to
--artifacts. Exits non-zero on the first failed check.
"""
import argparse
import sys
import urllib.parse

from selenium.webdriver.common.by import By

from member_walk import check, run_walk


def body(w):
    return w.text("body")


def search(w, q):
    w.open("/console/members?q=" + urllib.parse.quote(q))


def links_to(w, path):
    """The links on the page that lead exactly to `path`."""
    return [a for a in w.d.find_elements(By.CSS_SELECTOR, "a[href]")
            if urllib.parse.urlparse(a.get_attribute("href")).path == path]


def walk(w, a):
    d = w.d
    print("1. the account manager of mall MAIN signs in")
    w.open("/login")
    d.find_element(By.NAME, "username").send_keys(a.username)
    d.find_element(By.NAME, "password").send_keys(a.password)
    d.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    w.wait_path("/console")
    check("维护人" in body(w), "signed in as an account manager")
    w.shot("signed-in")

    member_b = f"/console/members/{a.member_b}"
    member_a = f"/console/members/{a.member_a}"
    print("2. the member of mall BEE is not found")
    search(w, a.phone_b)
    check(not links_to(w, member_b), "a search by the BEE member's phone lists no one")
    w.shot("search-b-phone")
    search(w, a.name_b[:1])
    check(not links_to(w, member_b), "a search by the BEE member's name does not list them")
    check(len(links_to(w, member_a)) >= 1, "the same name search lists the MAIN member (both are called 林…)")

    print("3. opening the BEE member's page by its URL is refused")
    w.open(member_b)
    page = body(w)
    check("不属于您负责的商场" in page, "the page says the member does not belong to my malls")
    check(a.phone_b not in page and a.name_b not in page, "nothing of the BEE member is shown")
    w.shot("member-b-refused")

    print("4. the member of mall MAIN is found and opened")
    search(w, a.phone_a)
    links = links_to(w, member_a)
    check(len(links) >= 1, "a search by the MAIN member's phone lists them")
    w.shot("search-a")
    links[0].click()
    w.wait_path(member_a)
    check(a.name_a in body(w), "the MAIN member's page opens with their name")
    w.shot("member-a")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    for name in ("base-url", "username", "password", "member-a", "member-b", "phone-a", "phone-b", "name-a", "name-b",
                 "artifacts"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    return run_walk("mall walk", walk, p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
