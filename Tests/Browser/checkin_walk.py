#!/usr/bin/env python3
"""The door check-in page in headless Chromium at phone size (390×844), as staff use it at an event's entrance.

Run by scripts/checkin-browser-test, which serves MallVIP on a throw-away SQLite database with an open event
(capacity 3), two members invited and accepted, one member not invited, and a desk user. The walk: sign in at phone
size; check in the first guest by card number; scan the second guest's invitation link (the /e/{token} URL as a
phone camera hands it over); scan it again (answered "already checked in", the count stays); the uninvited member
is offered as a walk-in and recorded; the room is then full and a guest without card is refused; the post-event
report shows the figures. Every page fits 390 px without sideways scrolling and its buttons and fields are at least
44 px tall. Screenshots of each step go to --artifacts. Exits non-zero on the first failed check.
"""
import argparse
import sys

from selenium.webdriver.common.by import By

from member_walk import check, run_walk


def outcome(w):
    return w.attr("#answer", "data-outcome")


def door(w, q):
    w.type("q", q, clear=True)
    w.click(By.ID, "checkin-submit")


def walk(w, a):
    page = f"/console/events/{a.event}/checkin"
    print("1. sign in at phone size")
    w.open(page)
    w.wait_path("/login")
    w.type("username", a.username)
    w.type("password", a.password)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path(page)
    check(w.count("#q") == 1, "the door page opens after sign-in with the lookup field")
    check(w.text("#count-attended b") == "0 / 3", "nobody has arrived yet, capacity 3")
    w.phone_layout("door page")
    w.shot("door-empty")

    print("2. check in by card number")
    door(w, a.card1)
    check(outcome(w) == "checkedIn", "the first guest is checked in by card number")
    check(a.name1 in w.text("#answer"), "the answer names the guest")
    check(w.text("#count-attended b") == "1 / 3", "one arrived")
    w.phone_layout("after a check-in")
    w.shot("checked-in-by-card")

    print("3. scan an invitation QR link, then scan it again")
    door(w, a.link2)
    check(outcome(w) == "checkedIn", "the scanned invitation link checks the second guest in")
    check(w.text("#count-attended b") == "2 / 3", "two arrived")
    w.shot("checked-in-by-link")
    door(w, a.link2)
    check(outcome(w) == "already", "a second scan is answered as already checked in")
    check(w.text("#count-attended b") == "2 / 3", "the second scan is not counted")
    w.phone_layout("double check-in")
    w.shot("double-check-in")

    print("4. a member without invitation becomes a walk-in")
    door(w, a.phone3)
    check(outcome(w) == "notInvited", "the uninvited member is found by phone and offered as a walk-in")
    w.shot("not-invited")
    w.click(By.ID, "member-walkin")
    check(outcome(w) == "walkIn", "the walk-in is recorded")
    check(w.text("#count-attended b") == "3 / 3", "three arrived: the room is full")
    check(w.text("#count-walkins b") == "1", "one walk-in")
    check(w.count("#full") == 1, "the page says the event is full")
    w.shot("walk-in-full")

    print("5. full: a guest without card is refused")
    w.click(By.ID, "guest-walkin")
    check("已满员" in w.text("p.error"), "no walk-in beyond capacity")
    check(w.text("#count-attended b") == "3 / 3", "still three")
    w.phone_layout("full")
    w.shot("refused-full")

    print("6. the post-event report")
    w.click(By.CSS_SELECTOR, f"a[href='/console/events/{a.event}/report']")
    w.wait_path(f"/console/events/{a.event}/report")
    check(w.text("#r-invited b") == "2", "invited 2")
    check(w.text("#r-attended b") == "3", "attended 3")
    check(w.text("#r-noshow b") == "0", "no no-shows")
    check(w.text("#r-walkins b") == "1", "one walk-in")
    check(w.text("#r-cost b") == "¥1,000.00", "cost per attendee = 3,000 / 3")
    w.phone_layout("report")
    w.shot("report")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base-url", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--event", required=True)
    p.add_argument("--card1", required=True)
    p.add_argument("--name1", required=True)
    p.add_argument("--link2", required=True)
    p.add_argument("--phone3", required=True)
    p.add_argument("--artifacts", required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    return run_walk("check-in walk", walk, p.parse_args())

if __name__ == "__main__":
    sys.exit(main())
