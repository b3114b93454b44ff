#!/usr/bin/env python3
"""A local stand-in for WeChat's 网页授权 and token endpoints, for the official-account sign-in walk (issue 22b).

The same documented protocol as the Swift simulator (Tests/MallVIPWebTests/WechatMP/WechatSimulator+OAuth.swift):
- GET  /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope=snsapi_base|snsapi_userinfo&state
       → 302 to redirect_uri?code=…&state=… at once (snsapi_base is silent); an unknown appid or a bad parameter is
       WeChat's text error page (HTTP 200). The WeChat user's openid is --openid (or set by POST /_sim/user?openid=…;
       an empty openid answers without a code, as a member who declined).
- GET  /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code
       → {access_token, expires_in, refresh_token, openid, scope[, unionid]}; 40029 unknown code, 40163 used code,
       40013 unknown appid, 40125 wrong secret, 40002 bad grant_type.
- POST /cgi-bin/stable_token {grant_type, appid, secret, force_refresh} → {access_token, expires_in}.
Every request is appended to --log as a JSON line {method, path, query} (the secret is masked).
Binds 127.0.0.1:--port (0 = any) and prints the port on the first line of stdout. --app appid:secret (repeatable).
"""
import argparse
import json
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

lock = threading.Lock()
apps = {}
codes = {}      # code → {appid, openid, unionid, used}
tokens = {}     # appid → (token, expires)
user = {"openid": "", "unionid": None}
log_path = None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def record(self, query):
        if not log_path:
            return
        q = {k: ("***" if k == "secret" else v) for k, v in query.items()}
        with lock, open(log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"method": self.command, "path": urlsplit(self.path).path, "query": q}) + "\n")

    def json(self, obj, status=200):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def text(self, s):
        data = s.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, msg):
        self.json({"errcode": code, "errmsg": msg})

    def do_GET(self):
        parts = urlsplit(self.path)
        q = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.record(q)
        if parts.path == "/connect/oauth2/authorize":
            if q.get("appid") not in apps:
                return self.text("10003 redirect_uri域名与后台配置不一致 / appid unknown")
            if q.get("scope") not in ("snsapi_base", "snsapi_userinfo"):
                return self.text("10005 scope参数错误")
            if q.get("response_type") != "code":
                return self.text("10004 response_type参数错误")
            target = urlsplit(q.get("redirect_uri", ""))
            if target.scheme not in ("http", "https") or not target.netloc:
                return self.text("10003 redirect_uri参数错误")
            items = parse_qsl(target.query, keep_blank_values=True)
            with lock:
                if user["openid"]:
                    code = "OAUTH_" + secrets.token_hex(16)
                    codes[code] = {"appid": q["appid"], "openid": user["openid"], "unionid": user["unionid"], "used": False}
                    items.append(("code", code))
            items.append(("state", q.get("state", "")))
            self.send_response(302)
            self.send_header("Location", urlunsplit((target.scheme, target.netloc, target.path, urlencode(items), "")))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if parts.path == "/sns/oauth2/access_token":
            if q.get("grant_type") != "authorization_code":
                return self.error(40002, "invalid grant_type")
            if q.get("appid") not in apps:
                return self.error(40013, "invalid appid")
            if q.get("secret") != apps[q["appid"]]:
                return self.error(40125, "invalid appsecret")
            with lock:
                c = codes.get(q.get("code", ""))
                if c is None or c["appid"] != q["appid"]:
                    return self.error(40029, "invalid code")
                if c["used"]:
                    return self.error(40163, "code been used")
                c["used"] = True
            answer = {"access_token": "SNS_" + secrets.token_hex(8), "expires_in": 7200,
                      "refresh_token": "REFRESH_" + secrets.token_hex(8), "openid": c["openid"], "scope": "snsapi_base"}
            if c["unionid"]:
                answer["unionid"] = c["unionid"]
            return self.json(answer)
        self.json({"errcode": 404, "errmsg": "no such endpoint"}, status=404)

    def do_POST(self):
        parts = urlsplit(self.path)
        q = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.record(q)
        if parts.path == "/_sim/user":
            with lock:
                user["openid"] = q.get("openid", "")
                user["unionid"] = q.get("unionid") or None
            return self.json({"ok": True})
        if parts.path == "/cgi-bin/stable_token":
            try:
                b = json.loads(body or b"{}")
            except ValueError:
                b = {}
            if b.get("grant_type") != "client_credential":
                return self.error(40002, "invalid grant_type")
            appid = b.get("appid")
            if appid not in apps:
                return self.error(40013, "invalid appid")
            if b.get("secret") != apps[appid]:
                return self.error(40125, "invalid appsecret")
            with lock:
                now = time.time()
                t = tokens.get(appid)
                if b.get("force_refresh") or t is None or t[1] <= now:
                    t = ("TOKEN_" + secrets.token_hex(16), now + 7200)
                    tokens[appid] = t
            return self.json({"access_token": t[0], "expires_in": int(t[1] - time.time())})
        self.json({"errcode": 404, "errmsg": "no such endpoint"}, status=404)


def main():
    global log_path
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--app", action="append", default=[], help="appid:secret")
    p.add_argument("--openid", default="")
    p.add_argument("--unionid", default="")
    p.add_argument("--log")
    a = p.parse_args()
    for spec in a.app:
        appid, _, secret = spec.partition(":")
        apps[appid] = secret
    user["openid"], user["unionid"] = a.openid, (a.unionid or None)
    log_path = a.log
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
