#!/usr/bin/env python3
"""A stand-in for an HTTP SMS gateway, for the MallVIP tests.

Every POST is appended to --log as one JSON line {path, authorization, contentType, body}. The answer is
{"id": "GW-<n>"} (n counts accepted messages). A body whose text contains FAIL500 is answered 500, one containing
FAIL400 is answered 400 (to test retries and permanent refusals). --delay holds every answer that many seconds
after the request is logged (a slow gateway, so that a sender can be killed mid-call). Binds 127.0.0.1:--port (0 = any) and prints the
port on the first line of stdout.
"""
import argparse
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
count = 0


def main():
    # The test process blocks most signals in its threads and the mask is inherited: let SIGTERM stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True)
    parser.add_argument("--delay", type=float, default=0)
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            global count
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            with lock:
                with open(args.log, "a", encoding="utf-8") as f:
                    f.write(json.dumps({"path": self.path, "authorization": self.headers.get("Authorization"),
                                        "contentType": self.headers.get("Content-Type"), "body": body},
                                       ensure_ascii=False) + "\n")
                if "FAIL500" in body:
                    status, answer = 500, {"error": "gateway overloaded"}
                elif "FAIL400" in body:
                    status, answer = 400, {"error": "invalid number"}
                else:
                    count += 1
                    status, answer = 200, {"id": "GW-%d" % count, "status": "accepted"}
            if args.delay:
                time.sleep(args.delay)
            data = json.dumps(answer).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
