"""A few lines of socketserver that answer like Haraka 3.3.4's core, for tests that need a real SMTP
peer on loopback without starting Haraka (the Probe panel, the MCP probe tool)."""
from __future__ import annotations

import contextlib
import socketserver
import threading

OUTSIDE = "nobody@other.test"      # the one recipient it refuses, as core does with no rcpt plugin


class _HarakaLike(socketserver.StreamRequestHandler):
    """Haraka 3.3.4's core replies (texts as real Haraka writes them), with a 550 for OUTSIDE."""
    timeout = 10

    def handle(self) -> None:
        self.wfile.write(b"220 mx.test ESMTP Haraka/3.3.4 ready\r\n")
        for raw in self.rfile:
            line = raw.decode().strip()
            verb, arg = line[:4].upper(), line[4:].strip()
            if verb == "EHLO":
                reply = "250-mx.test Hello client [127.0.0.1], Haraka is at your service.\r\n250 PIPELINING"
            elif verb == "MAIL":
                reply = f"250 sender {arg.split(':', 1)[1]} OK"
            elif verb == "RCPT":
                rcpt = arg.split(":", 1)[1]
                reply = f"550 I cannot deliver mail for {rcpt}" if OUTSIDE in rcpt else f"250 recipient {rcpt} OK"
            elif verb == "RSET":
                reply = "250 OK"
            elif verb == "QUIT":
                self.wfile.write(b"221 mx.test closing connection. Have a jolly good day.\r\n")
                return
            else:
                reply = "500 Unrecognized command"
            self.wfile.write(reply.encode() + b"\r\n")



@contextlib.contextmanager
def haraka_like_server():
    """Serve on a free loopback port; yields the port."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _HarakaLike)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
