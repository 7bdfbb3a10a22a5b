"""Throwaway PostgreSQL clusters on free loopback ports: a primary and a hot standby of it.

The server binaries are found through `pg_config --bindir` or PATH. PostgreSQL refuses to run
as root, so under root (CI) every binary runs as the `postgres` user through `runuser`.
"""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.serving import free_port

NEEDED = ("initdb", "pg_ctl", "pg_basebackup", "postgres")


def bindir() -> Path | None:
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            found = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            candidates.append(Path(found))
        except (OSError, subprocess.SubprocessError):
            pass
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for folder in candidates:
        if all((folder / name).is_file() for name in NEEDED):
            return folder
    return None


def unavailable() -> str | None:
    """Why clusters cannot be made here, or None when they can."""
    if bindir() is None:
        return (
            "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are neither on PATH nor "
            "in `pg_config --bindir`"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no `postgres` user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root, and `runuser` is missing to run PostgreSQL as `postgres`"
    return None


class Clusters:
    """A primary and, on request, a hot standby streaming from it, in one temporary folder."""

    def __init__(self) -> None:
        found = bindir()
        assert found is not None, unavailable()
        self.bin = found
        self.root = Path(tempfile.mkdtemp(prefix="sourced-replica-"))
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.running: list[Path] = []

    def _run(self, name: str, *args: str) -> None:
        result = subprocess.run(
            [*self.prefix, str(self.bin / name), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            logs = "".join(
                f"\n--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
                for log in sorted(self.root.glob("*.log"))
            )
            raise RuntimeError(f"{name} {' '.join(args)} failed:\n{result.stderr}{logs}")

    def _start(self, name: str, port: int) -> str:
        data = self.root / name
        # Throwaway clusters: no fsync; sockets in the temporary folder, not the system's.
        # Commits stay synchronous: a commit's WAL is written (to the OS, not flushed) before
        # it returns, so it survives ``stop_primary``'s crash. With asynchronous commits the
        # last ones were lost when a test crashed the primary right after loading its data.
        options = f"-c port={port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        log = self.root / f"{name}.log"
        self._run(
            "pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "30", "start"
        )
        self.running.append(data)
        return f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def primary(self) -> str:
        """Start the primary; its URL."""
        self.primary_port = free_port()
        self._run(
            "initdb",
            *("-D", str(self.root / "primary"), "-U", "postgres", "-A", "trust"),
            *("-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"),
        )
        return self._start("primary", self.primary_port)

    def stop_primary(self) -> None:
        """Stop the primary the hard way (a crash, not a shutdown)."""
        data = self.root / "primary"
        self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        self.running.remove(data)

    def start_primary(self) -> None:
        """Start the primary again on its port."""
        self._start("primary", self.primary_port)

    def standby(self) -> str:
        """Clone the primary with pg_basebackup -R and start it as a hot standby; its URL."""
        self._run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"),
            *("-D", str(self.root / "standby"), "-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )
        return self._start("standby", free_port())

    def remove(self) -> None:
        """Stop every cluster started (standby first) and delete the folder."""
        for data in reversed(self.running):
            # Should a stop fail, a server whose folder is gone notices and shuts itself down.
            with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
                self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        self.running.clear()
        shutil.rmtree(self.root, ignore_errors=True)
