#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for the SMTP client tests (Tests/MallVIPWebTests/Support/SMTPSink.swift).

Stores each accepted message as received (after the server's own dot-unstuffing) in ROOT/maildir, and writes
ROOT/decoded/<n>.json with the envelope and what Python's e-mail parser makes of it (decoded subject, addresses,
body), so the Swift tests check the MIME encoding against an independent decoder.

Recipients whose local part starts with "reject" get 550, with "tempfail" get 451.
"""
import argparse
import asyncio
import email
import email.policy
import json
import mailbox
import os
import signal
import ssl
import sys

# A child inherits its parent's blocked signals; the Swift test runner blocks SIGTERM, which would make the sink
# unstoppable.
signal.pthread_sigmask(signal.SIG_SETMASK, [])

try:
    from aiosmtpd.smtp import SMTP, AuthResult
except ImportError:
    print("aiosmtpd is not installed: run the tests with scripts/test, which installs it (the SMTP tests need a real SMTP server)",
          file=sys.stderr)
    sys.exit(3)


class Sink:
    def __init__(self, root):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.maildir = mailbox.Maildir(os.path.join(root, "maildir"), create=True)
        self.decoded = os.path.join(root, "decoded")
        os.makedirs(self.decoded, exist_ok=True)
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("tempfail"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        key = self.maildir.add(raw)
        self.count += 1
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        headers = {}
        for name in ("Subject", "From", "To", "Date", "Message-ID", "MIME-Version", "Content-Type",
                     "Content-Transfer-Encoding", "List-Unsubscribe"):
            if msg[name] is not None:
                headers[name] = str(msg[name])
        from_addr = msg["From"].addresses[0] if msg["From"] is not None else None
        try:
            body = msg.get_content()
        except Exception as e:  # noqa: BLE001 - reported to the test as text
            body = "<undecodable: %s>" % e
        record = {
            "seq": self.count,
            "key": key,
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
            "authMechanism": getattr(session, "auth_mechanism", None),
            "headers": headers,
            "fromDisplayName": from_addr.display_name if from_addr else None,
            "fromAddress": from_addr.addr_spec if from_addr else None,
            "contentCharset": msg.get_content_charset(),
            "body": body,
            "defects": [type(d).__name__ for d in msg.defects]
            + [type(d).__name__ for h in msg.keys() for d in getattr(msg[h], "defects", ())],
        }
        with open(os.path.join(self.decoded, "%04d.json" % self.count), "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        return "250 2.0.0 Message accepted for delivery as %s" % key


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--auth-exclude", action="append", default=[], help="an AUTH mechanism not to offer")
    args = p.parse_args()

    sink = Sink(args.root)
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login.decode() == args.user and auth_data.password.decode() == args.password)
        session.auth_mechanism = mechanism
        return AuthResult(success=ok, handled=False)

    def factory():
        return SMTP(sink, hostname="sink.test", decode_data=False, tls_context=tls, require_starttls=tls is not None,
                    authenticator=authenticator if args.user else None, auth_required=bool(args.user),
                    auth_require_tls=True, auth_exclude_mechanism=args.auth_exclude)

    async def serve():
        server = await asyncio.get_running_loop().create_server(factory, args.host, args.port)
        # The port actually bound (with --port 0 the system's choice), on stdout: the test connects to exactly this
        # server, never to another process that happened to take a port it had probed.
        print(server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
