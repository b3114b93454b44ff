#!/usr/bin/env python3
"""A member sends a receipt photo from the phone, the desk approves it, the member sees the points (issue 19, 拍照积分).

Run by scripts/photo-browser-test, which serves MallVIP on a throw-away SQLite database (photos in a throw-away
MALLVIP_PHOTO_DIR) with its SMS gateway pointed at the local stub, one member enrolled and a desk user. The walk: the
member signs in on /m/ by SMS code at phone size (390×844) and opens 拍照积分 from the member menu; the browser draws a
small receipt on a canvas and saves it as a real JPEG file; the member sends it with receipt number, counter, amount and
time and sees it waiting with the review's due time. The desk signs in at desktop size, opens 小票审核, finds the photo
(the image loads), the member's fields, the SLA clock and no duplicate hint, and approves it. The member reloads the page
at phone size and sees it approved with the points, and the purchase in the points history. Screenshots of each step go
to --artifacts. Exits non-zero on the first failed check.
"""
import argparse
import base64
import datetime
import os
import re
import sys

from selenium.webdriver.common.by import By

from member_walk import check, run_walk


def desktop(w):
    w.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    w.d.set_window_size(1280, 900)
    w.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})


def make_jpeg(w, path):
    """A real JPEG: a receipt drawn on a canvas in a blank page (not the site: its CSP allows no inline script)."""
    w.d.get("about:blank")
    data_url = w.d.execute_script("""
        const c = document.createElement('canvas'); c.width = 240; c.height = 360;
        const g = c.getContext('2d');
        g.fillStyle = '#fff'; g.fillRect(0, 0, 240, 360);
        g.fillStyle = '#000'; g.font = '16px sans-serif';
        ['RECEIPT', 'C0001', '128.00', arguments[0]].forEach((t, i) => g.fillText(t, 20, 40 + 30 * i));
        return c.toDataURL('image/jpeg', 0.9);""", os.path.basename(path))
    check(data_url.startswith("data:image/jpeg;base64,"), "the browser made a JPEG")
    raw = base64.b64decode(data_url.split(",", 1)[1])
    check(raw[:3] == b"\xff\xd8\xff", "the file starts with the JPEG magic bytes")
    with open(path, "wb") as f:
        f.write(raw)
    return len(raw)


def walk(w, a):
    print("1. the member signs in on the phone and opens 拍照积分")
    w.phone_size()
    w.open("/m/photos")
    w.wait_path("/m/login")
    sent_before = len(w.sms_codes(a.phone))
    w.type("phone", a.phone)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    code = w.wait_code(a.phone, sent_before)
    w.type("code", code)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path("/m/")
    w.click(By.CSS_SELECTOR, ".m-nav a[href='/m/photos']")
    w.wait_path("/m/photos")
    w.phone_layout("photos")
    w.shot("member-photo-form")

    print("2. the member sends a real JPEG of the receipt")
    jpeg = os.path.join(os.path.abspath(a.artifacts), "receipt.jpg")
    size = make_jpeg(w, jpeg)
    print(f"  made {jpeg} ({size} bytes)")
    w.open("/m/photos")
    w.wait_path("/m/photos")
    w.d.find_element(By.CSS_SELECTOR, "input[name=photo]").send_keys(jpeg)
    w.type("receiptNo", a.receipt)
    w.d.find_element(By.CSS_SELECTOR, "select[name=counter] option[value='C0001']").click()
    w.type("amount", "128.00")
    shanghai = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) - datetime.timedelta(minutes=20)
    w.d.execute_script("arguments[0].value = arguments[1]", w.d.find_element(By.CSS_SELECTOR, "input[name=occurredAt]"),
                       shanghai.strftime("%Y-%m-%dT%H:%M"))
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path("/m/photos")
    check("已收到小票照片" in w.text("p.notice"), "the page confirms the photo with the review's due time")
    item = "li.photo-submitted"
    check(w.count(item) == 1 and a.receipt in w.text(item), "the photo is listed, waiting for review")
    check("待审核" in w.text(item), "its state says 待审核")
    photo_id = re.search(r"#(\d+)", w.text(item)).group(1)
    w.phone_layout("photos after upload")
    w.shot("member-photo-sent")

    print("3. the desk finds it first in the queue, with the photo and the SLA clock")
    desktop(w)
    w.open("/console/photos")
    w.wait_path("/login")
    w.type("username", a.username)
    w.type("password", a.password)
    w.click(By.CSS_SELECTOR, "form.card button[type=submit]")
    w.wait_path("/console")
    w.open("/console/photos")
    w.wait_path("/console/photos")
    card = f"section#photo-{photo_id}"
    check(w.count("section.photo-review") >= 1 and w.attr("section.photo-review", "id") == f"photo-{photo_id}",
          "the photo is first in the queue")
    check(a.receipt in w.text(card) and "128.00" in w.text(card) and "C0001" in w.text(card), "the member's fields are shown")
    check("未到期" in w.text(f"{card} .sla"), "the SLA clock shows the photo in time")
    loaded = w.d.execute_script("const i = document.querySelector(arguments[0] + ' img'); return i && i.complete && i.naturalWidth",
                                card)
    check(loaded == 240, f"the photo itself loads at the desk ({loaded} px wide)")
    check("未发现重复迹象" in w.text(card), "no duplicate hint")
    w.shot("desk-queue")

    print("4. the desk approves it")
    w.click(By.CSS_SELECTOR, f"{card} button.approve")
    w.wait_path("/console/photos")
    notice = w.text("p.notice") if w.count("p.notice") else w.text(".notice")
    check(f"#{photo_id} 已通过" in notice, f"the page confirms the approval ({notice})")
    points = int(re.search(r"\+(\d+)", notice).group(1))
    check(points > 0, f"the purchase earned {points} points")
    check(w.count(card) == 0, "the photo left the queue")
    w.shot("desk-approved")

    print("5. the member sees the photo approved and the points")
    w.phone_size()
    w.open("/m/photos")
    w.wait_path("/m/photos")
    item = f"li#photo-{photo_id}"
    check("已通过" in w.text(item) and f"+{points}" in w.text(item), "approved, with the points")
    w.phone_layout("photos approved")
    w.shot("member-photo-approved")
    w.click(By.CSS_SELECTOR, ".m-nav a[href='/m/points']")
    w.wait_path("/m/points")
    check(f"+{points}" in w.text("main"), "the points history lists the earning")
    w.shot("member-points")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base-url", required=True)
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--member", required=True)
    p.add_argument("--receipt", required=True)
    p.add_argument("--phone", required=True)
    p.add_argument("--sms-log", required=True)
    p.add_argument("--artifacts", required=True)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    a = p.parse_args()
    return run_walk("photo walk", walk, a, sms_log=a.sms_log)


if __name__ == "__main__":
    sys.exit(main())
