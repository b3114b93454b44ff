#!/usr/bin/env python3
"""A real-browser walk through a personal survey link (/s/{token}) at phone size (390×844), headless Chromium.

Run by scripts/survey-browser-test, which enrols a member and creates a desk user first. The walk: the desk records a
complaint for the member on /console/complaints, records the first response and closes it with the outcome told to
the member, which sends the member a survey link (read from the database). On the phone: the survey page fits 390 px
with 44 px tap targets; the member picks 9 and 5, writes a comment and submits; the thanks page shows; opening the
link again says it has been answered (once per link); English is selectable. Screenshots go to --artifacts.
"""
import argparse
import sqlite3
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from member_walk import check, run_walk


def submit(w, css):
    w.click(By.CSS_SELECTOR, css)


def walk(w, args):
    d = w.d
    print("1. the desk records a complaint and closes it (console at desktop size)")
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    w.open("/login")
    w.type("username", args.username)
    w.type("password", args.password)
    submit(w, "form.card button[type=submit]")
    w.wait_path("/console")
    w.open("/console/complaints")
    w.wait_path("/console/complaints")
    d.find_element(By.CSS_SELECTOR, "select[name=channel] option[value=phone]").click()
    w.type("member", args.card)
    w.type("category", "服务态度")
    w.type("description", "电话咨询无人接听")
    w.shot("complaint-form")
    submit(w, "form.card button[type=submit]")
    check("已登记" in w.text("p.notice"), "the complaint is recorded")
    submit(w, "form[action$='/respond'] button")
    check("首次响应" in w.text("p.notice"), "the first response is recorded")
    w.type("outcome", "已回电致歉并说明服务时间")
    # Enter in the outcome field submits its form (a click on the table's button did not always reach it).
    d.find_element(By.NAME, "outcome").send_keys(Keys.ENTER)
    w.wait.until(lambda _: "已结案" in (w.text("p.notice") if w.count("p.notice") else ""))
    check(True, "the complaint is closed")
    w.shot("complaint-closed")

    db = sqlite3.connect(args.database)
    row = db.execute("SELECT token FROM survey_links WHERE reason = 'complaint' ORDER BY id DESC LIMIT 1").fetchone()
    db.close()
    check(row is not None, "closing the complaint created a survey link")
    token = row[0]
    d.delete_all_cookies()
    w.phone_size()

    print("2. the member answers the survey on the phone")
    w.open(f"/s/{token}")
    w.wait.until(EC.presence_of_element_located((By.ID, "survey")))
    check(w.attr("html", "lang") == "zh-CN", "the survey is in Chinese by default")
    check(w.count("input[name=nps]") == 11 and w.count("input[name=csat]") == 5, "0–10 and 1–5 are offered")
    w.phone_layout("survey")
    w.shot("survey")
    d.find_element(By.XPATH, "//input[@name='nps' and @value='9']/parent::label").click()
    d.find_element(By.XPATH, "//input[@name='csat' and @value='5']/parent::label").click()
    check(d.find_element(By.CSS_SELECTOR, "input[name=nps][value='9']").is_selected(), "tapping 9 selects it")
    w.type("comment", "回电很及时，谢谢")
    w.shot("survey-filled")
    submit(w, "#survey button[type=submit]")
    check("已收到" in w.text("p.notice"), "the answer is thanked")
    w.phone_layout("thanks")
    w.shot("thanks")

    print("3. the link answers once")
    w.open(f"/s/{token}")
    check("已提交过" in w.text("p.notice"), "opening the link again says it has been answered")
    check(w.count("#survey") == 0, "no form is offered a second time")
    w.shot("answered-once")
    submit(w, "header form button")
    check(w.attr("html", "lang") == "en" and "already been answered" in w.text("p.notice"), "English is selectable")
    w.shot("answered-once-en")

    db = sqlite3.connect(args.database)
    nps, csat, comment = db.execute("SELECT nps, csat, comment FROM survey_links WHERE token = ?", (token,)).fetchone()
    db.close()
    check((nps, csat, comment) == (9, 5, "回电很及时，谢谢"), "the answer is stored once, as given")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base-url", required=True)
    p.add_argument("--username", default="desk")
    p.add_argument("--password", required=True)
    p.add_argument("--card", required=True)
    p.add_argument("--database", required=True, help="the server's SQLite file (to read the survey link)")
    p.add_argument("--artifacts", required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    return run_walk("survey walk", walk, p.parse_args())

if __name__ == "__main__":
    sys.exit(main())
