"""A TCP proxy the test controls: forward to PostgreSQL, refuse or swallow connections, or freeze."""

import contextlib
import socket
import threading
from dataclasses import dataclass, field

FORWARD, REFUSE, BLACKHOLE = "forward", "refuse", "blackhole"


@dataclass
class TcpProxy:
    """Listens on 127.0.0.1; each new connection is forwarded, closed at once, or held unanswered."""

    target: tuple[str, int]
    mode: str = FORWARD
    open_pairs: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    flowing: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self.flowing.set()

    def start(self) -> "TcpProxy":
        """Listen on a free port in background threads."""
        self.server = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        """Where the app should connect."""
        return self.server.getsockname()[1]

    def cut(self, mode: str) -> None:
        """Drop every connection in flight, and treat new ones as `mode` says."""
        self.mode = mode
        with self.lock:
            pairs, self.open_pairs = self.open_pairs, []
        for pair in pairs:
            for sock in pair:
                sock.close()

    def freeze(self) -> None:
        """Like a server stopped with SIGSTOP: connections stay open, nothing moves, new ones hang."""
        self.mode = BLACKHOLE
        self.flowing.clear()

    def thaw(self) -> None:
        """Like SIGCONT: what was held moves on, and new connections are forwarded again."""
        self.mode = FORWARD
        self.flowing.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if self.mode == REFUSE:
                client.close()
            elif self.mode == BLACKHOLE:
                with self.lock:
                    self.open_pairs.append((client,))  # read nothing, answer nothing
            else:
                upstream = socket.create_connection(self.target)
                with self.lock:
                    self.open_pairs.append((client, upstream))
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()

    def stop(self) -> None:
        """Stop listening and drop everything."""
        self.cut(REFUSE)
        self.flowing.set()
        self.server.close()
