#!/usr/bin/env python3
"""Install and test the plugin inside the Open edX platform's own pins (`make test-openedx-pins`).

The platform's lock file (``requirements/edx/base.txt``, copied under ``../shared/openedx/``) is a
pip-compile output: ``name[extras]==version`` lines, sometimes with an environment marker, and on
some branches git or URL lines. pip refuses extras and URLs in a constraints file, so:

``constraints``  derives one: ``name==version`` per pin, extras and markers stripped (a pin whose
                 marker is false for this interpreter is dropped), git/URL/option lines dropped.
                 Every dropped line is printed with the reason.
``install``      runs ``pip install -c <constraints> <args>``. When pip cannot resolve and names a
                 pin ``(constraint) name==version``, that version is looked up on the registry
                 (``pip index versions``, only for the pins pip named); a version the registry does
                 not serve is dropped from the constraints, printed, and the install retried. Any
                 other conflict (the plugin asking for more than the platform pins) fails, loudly.
``check``        compares every installed distribution that the lock pins with its pinned version
                 and fails naming each one that moved (and each pin dropped by ``install``).

Standard library only (plus pip's own vendored ``packaging`` when ``packaging`` is not installed),
so it runs with the target virtualenv's interpreter before anything is installed into it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

try:
    from packaging.markers import InvalidMarker, Marker
except ImportError:  # a bare virtualenv: pip vendors the same module
    from pip._vendor.packaging.markers import InvalidMarker, Marker  # type: ignore[no-redef]

_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*(?P<version>[^\s;#]+)"
    r"\s*(?:;(?P<marker>[^#]*))?$"
)
# How pip names a pin in a failed resolution: "The user requested (constraint) name==version".
_CONSTRAINT_IN_CONFLICT = re.compile(r"\(constraint\)\s+([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s,;]+)")
_MAX_RETRIES = 20


def _say(message: str, *, error: bool = False) -> None:
    stream = sys.stderr if error else sys.stdout
    stream.write(f"openedx-pins: {message}\n")
    stream.flush()


def normalize(name: str) -> str:
    """PEP 503 name: ``PyYAML`` and ``pyyaml``, ``zope.interface`` and ``zope-interface`` match."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Lock:
    pins: dict[str, tuple[str, str]]  # normalized name -> (name as written, version)
    dropped: list[tuple[str, str]]  # (line, why)


def read_lock(path: Path) -> Lock:
    pins: dict[str, tuple[str, str]] = {}
    dropped: list[tuple[str, str]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            dropped.append((line, "pip option or -e line, not a pin"))
            continue
        if "://" in line or " @ " in line or line.startswith("git+"):
            dropped.append((line, "git or URL requirement: not allowed in a constraints file"))
            continue
        match = _PIN.match(line)
        if match is None:
            dropped.append((line, "not a name==version pin"))
            continue
        marker = (match["marker"] or "").strip()
        if marker:
            try:
                applies = Marker(marker).evaluate()
            except InvalidMarker as exc:
                dropped.append((line, f"unreadable environment marker ({exc})"))
                continue
            if not applies:
                dropped.append((line, f"environment marker false for Python {sys.version.split()[0]}"))
                continue
        pins[normalize(match["name"])] = (match["name"], match["version"])
    return Lock(pins, dropped)


def write_constraints(pins: dict[str, tuple[str, str]], out: Path, lock_path: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# Derived from {lock_path} by scripts/openedx_pins.py: do not edit.\n"]
    ordered = sorted(pins.values(), key=lambda pin: normalize(pin[0]))
    lines += [f"{name}=={version}\n" for name, version in ordered]
    out.write_text("".join(lines), encoding="utf-8")


def _dropped_file(constraints: Path) -> Path:
    return constraints.with_name(constraints.name + ".dropped")


def cmd_constraints(args: argparse.Namespace) -> int:
    lock = read_lock(args.lock)
    write_constraints(lock.pins, args.constraints, args.lock)
    _dropped_file(args.constraints).write_text("", encoding="utf-8")
    _say(f"{len(lock.pins)} pins from {args.lock} -> {args.constraints}")
    for line, why in lock.dropped:
        _say(f"dropped {line!r}: {why}")
    return 0


def served_versions(python: str, name: str) -> set[str] | None:
    """Versions of ``name`` the configured registries serve for this interpreter (None: unknown)."""
    result = subprocess.run([python, "-m", "pip", "index", "versions", name],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return set() if "No matching distribution" in result.stderr + result.stdout else None
    for line in result.stdout.splitlines():
        if line.startswith("Available versions:"):
            return {v.strip() for v in line.split(":", 1)[1].split(",") if v.strip()}
    return None


def cmd_install(args: argparse.Namespace) -> int:
    lock = read_lock(args.lock)
    pins = dict(lock.pins)
    dropped_log = _dropped_file(args.constraints)
    dropped: list[str] = []
    for _attempt in range(_MAX_RETRIES):
        write_constraints(pins, args.constraints, args.lock)
        command = [sys.executable, "-m", "pip", "install", "-c", str(args.constraints), *args.pip_args]
        _say(" ".join(command))
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        output = result.stdout + result.stderr  # pip explains a conflict at INFO level, on stdout
        if result.returncode == 0:
            installed = [line for line in result.stdout.splitlines() if line.startswith("Successfully")]
            sys.stdout.write("".join(f"{line}\n" for line in installed))
            dropped_log.write_text("".join(f"{line}\n" for line in dropped), encoding="utf-8")
            return 0
        unserved = []
        for name, version in dict.fromkeys(_CONSTRAINT_IN_CONFLICT.findall(output)):
            key = normalize(name)
            if key not in pins:
                continue
            versions = served_versions(sys.executable, name)
            if versions is not None and version not in versions:
                unserved.append((key, f"{name}=={version}"))
        if not unserved:
            sys.stderr.write(output)
            _say("FAILED: the install conflicts with the platform's pins (see pip's explanation above)",
                 error=True)
            return 1
        for key, pin in unserved:
            _say(f"dropped {pin}: the registry does not serve this version; retrying")
            dropped.append(pin)
            del pins[key]
    _say("FAILED: too many pins the registry does not serve", error=True)
    return 1


def cmd_check(args: argparse.Namespace) -> int:
    lock = read_lock(args.lock)
    dropped_log = _dropped_file(args.constraints)
    dropped = dropped_log.read_text(encoding="utf-8").split() if dropped_log.exists() else []
    for pin in dropped:  # the platform cannot install that version from here either
        _say(f"note: {pin} was not constrained and is not compared (the registry does not serve it)")
    unserved = {normalize(pin.split("==", 1)[0]) for pin in dropped}
    installed = {normalize(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
                 if dist.metadata["Name"]}
    moved = []
    held = 0
    for key, (name, pinned) in sorted(lock.pins.items()):
        version = installed.get(key)
        if version is None or key in unserved:
            continue
        if version != pinned:
            moved.append(f"{name}: pinned {pinned}, installed {version}")
        else:
            held += 1
    if moved:
        _say(f"FAILED: {len(moved)} of the platform's pinned versions moved:", error=True)
        for line in moved:
            sys.stderr.write(f"  {line}\n")
        return 1
    _say(f"OK: all {held} installed packages that the platform pins are at their pinned versions "
         f"({sum(key not in lock.pins for key in installed)} installed packages it does not pin)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--lock", type=Path, required=True, help="the platform's lock file")
    parser.add_argument("--constraints", type=Path, required=True, help="the derived constraints file")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("constraints", help="only write the constraints file").set_defaults(func=cmd_constraints)
    install = sub.add_parser("install", help="pip install under the pins, dropping versions not served")
    install.add_argument("pip_args", nargs=argparse.REMAINDER, help="after --: pip install arguments")
    install.set_defaults(func=cmd_install)
    sub.add_parser("check", help="fail if an installed package left its pinned version").set_defaults(
        func=cmd_check)
    args = parser.parse_args(argv)
    if args.command == "install":
        if args.pip_args[:1] == ["--"]:
            args.pip_args = args.pip_args[1:]
        if not args.pip_args:
            parser.error("install needs pip arguments after --")
    if not args.lock.is_file():
        parser.error(f"no lock file at {args.lock}: CI keeps a copy of shared/ beside the clone "
                     "(OPENEDX_LOCK=... names another)")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
