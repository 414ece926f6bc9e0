#!/usr/bin/env python3
"""The loopback floor of a blob pull: the least any HTTP server can do to send a file.

Usage: sendfile-server.py PORT FILE

Answers every GET on 127.0.0.1:PORT with FILE (200, Content-Length, Connection: close), sent by one
blocking os.sendfile loop (socket.sendfile): no framing, no routing, no database, no access check.
registry-bench.sh measures it with the same curl as the registries, so its figure is what this
machine's loopback and client allow a pull to reach; the file is re-read at each request, so the
benchmark may rewrite it between passes.
"""
import os
import socket
import sys


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(16)
    while True:
        conn, _ = server.accept()
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(4096)
                if not data:
                    break
                head += data
            if not head.startswith(b"GET "):
                conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                continue
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % size)
                conn.sendfile(f)


if __name__ == "__main__":
    main()
