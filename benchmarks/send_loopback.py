"""Time `pmo-xl send` delivering N drafts to an aiosmtpd server on 127.0.0.1.

Usage: python benchmarks/send_loopback.py [N]   (default 300 drafts; needs the test extra)
Measures pmo-xl's own cost per message (reading drafts, sent.json rewritten after each
message); a real mail server adds its network round trips on top.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmo_xl.people.send import send  # noqa: E402
from tests.smtp_server import Recorder, Server  # noqa: E402
from tests.test_send import draft  # noqa: E402


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        for n in range(count):
            message = draft(f"person.{n:04d}@example.org", f"Person {n}")
            (folder / f"person-{n:04d}.eml").write_bytes(bytes(message))
        server = Server(Recorder())
        try:
            start = time.perf_counter()
            outcome = send(folder, smtp=server.address, from_address="pmo@example.org",
                           echo=lambda *a, **k: None)
            first = time.perf_counter() - start
            start = time.perf_counter()
            again = send(folder, smtp=server.address, from_address="pmo@example.org",
                         echo=lambda *a, **k: None)
            rerun = time.perf_counter() - start
        finally:
            server.stop()
        assert len(outcome.sent) == count == len(server.received) and not again.sent
        print(f"{count} drafts sent in {first:.2f} s ({first / count * 1000:.1f} ms each); "
              f"a re-run with all {count} already sent: {rerun:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
