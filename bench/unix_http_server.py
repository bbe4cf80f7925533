"""An HTTP/1.1 server on a Unix socket, for the stand-in APIs of the
benchmarks (docker-standin.py, lxd-standin.py): each GET is answered by a
function of its path, (status, body, content type), with keep-alive as curl
expects of a daemon; a body that is a list or a generator of chunks is a
stream, held open once they are sent."""
import os
import socketserver
from http.server import BaseHTTPRequestHandler


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status, body, content_type = self.server.answer(self.path)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if not isinstance(body, bytes):
            self.hold_open(body)
            return
        self.send_header("Content-Length", str(len(body)))
        for name, value in self.server.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def hold_open(self, chunks):
        """A stream, as Docker's /events: the chunks, then nothing more
        until the client goes."""
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in self.server.headers:
            self.send_header(name, value)
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            self.rfile.read()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went while a generator's stream waited

    def address_string(self):
        return "unix"

    def log_message(self, format, *args):
        pass


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def serve(socket_path, answer, headers=()):
    """Serves GETs on socket_path until killed; answer(path) gives each reply."""
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    server = Server(socket_path, Handler)
    server.answer = answer
    server.headers = list(headers)
    server.serve_forever()
