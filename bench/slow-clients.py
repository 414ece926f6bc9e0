#!/usr/bin/env python3
"""Keeps N slow connections open to HOST:PORT: half dribble a request's headers, half a request's
body, one byte every INTERVAL seconds each; a connection the server cuts is opened again, so N stay
open. Prints how many were cut when it gets SIGTERM. Used by edge-bench.sh."""
import signal, socket, sys, time

host, port, n, interval, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
HEAD = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"X-Padding: {'p' * 200}\r\n").encode()
BODY = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: 1000000\r\n\r\n").encode()
cut = 0
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)


def open_one(i):
    s = socket.create_connection((host, port))
    s.setblocking(False)
    if i % 2:
        s.sendall(BODY)
        return [s, b"{" * 10_000_000, 0]
    return [s, HEAD * 1000, 0]


conns = [open_one(i) for i in range(n)]
print(f"{n} slow connections open", flush=True)
while running:
    for i, c in enumerate(conns):
        try:
            c[0].send(c[1][c[2]:c[2] + 1])
            c[2] += 1
            try:
                if c[0].recv(4096) == b"":
                    raise ConnectionError
            except BlockingIOError:
                pass
        except (OSError, ConnectionError):
            cut += 1
            c[0].close()
            try:
                conns[i] = open_one(i)
            except OSError:
                pass
    time.sleep(interval)
print(f"cut by the server and reopened: {cut}", flush=True)
