"""Measure the bot beside its floors, in one run, and print the figures and the targets.

    python -m bench                  # every section but the notifier (make bench), minutes
    python -m bench --smoke          # tiny counts, every section (the test suite runs it)
    python -m bench ack logs         # chosen sections only (the targets need the default ones)
    python -m bench notifier --out bench/results/notifier.json   # the notifier's, on its own

Sections: ack (the bot, a bare Bolt app and the raw floor, interleaved), load (acks with long
commands in flight), get (get pods at three sizes beside one Table GET and kubectl), logs, and
footprint (a real `k8s-chatops run --mode http` child: start, RSS, a hostile command), and
the notifier (several minutes of its own: a full run reports the figures of its last run, from
bench/results/notifier.json). Results: a table on stdout and JSON in
bench/results/latest.json (or --out). Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the fake Slack lives in tests/
    sys.path.insert(0, str(ROOT))

from bench import footprint, harness, notifier, report, sections, sizes  # noqa: E402

SECTIONS = {
    "ack": ("ack", sections.ack),
    "load": ("ack_under_load", sections.ack_under_load),
    "get": ("get_pods", sizes.get_pods),
    "logs": ("logs", sizes.logs),
    "footprint": ("footprint", footprint.footprint),
    "notifier": ("notifier", notifier.measure),
}
DEFAULT = ("ack", "load", "get", "logs", "footprint")
"""What ``make bench`` runs: the notifier's section alone takes longer than all of these."""
NOTIFIER_RESULTS = ROOT / "bench" / "results" / "notifier.json"


def _clean(value: Any) -> Any:
    """JSON has no NaN: missing figures become null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _stored_notifier() -> Any:
    """The notifier's figures from its own last run (with when and where), else why none."""
    try:
        stored = json.loads(NOTIFIER_RESULTS.read_text())
        found = dict(stored["notifier"])
        machine = stored["machine"]
    except (OSError, ValueError, KeyError, TypeError):
        return sections.notifier()
    if found.get("measured"):
        found["why"] = (
            f"{found['why']} [from {NOTIFIER_RESULTS.name}: {machine.get('date_utc')}, "
            f"commit {str(machine.get('commit'))[:7]}, load {machine.get('load_average_at_start')}]"
        )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "which",
        nargs="*",
        help=f"sections: {', '.join(SECTIONS)}, or all (default: all but notifier)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny counts (seconds, not minutes)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "latest.json", help="JSON file"
    )
    args = parser.parse_args(argv)
    named = [w for w in args.which if w != "all"]
    if "all" in args.which or (args.smoke and not named):
        named = list(SECTIONS)
    which = named or list(DEFAULT)
    unknown = sorted(set(which) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}: choose from {', '.join(SECTIONS)}")
    plan = sections.SMOKE if args.smoke else sections.Plan()
    results: dict[str, Any] = {"machine": report.machine(), "smoke": args.smoke}
    results["plan"] = {k: getattr(plan, k) for k in plan.__dataclass_fields__}
    with (
        tempfile.TemporaryDirectory(prefix="k8s-bench-") as workdir,
        harness.client_process(),
    ):
        for name in which:
            key, measure = SECTIONS[name]
            print(f"# measuring {name} ...", file=sys.stderr, flush=True)
            section_dir = Path(workdir) / name
            section_dir.mkdir()
            began = time.monotonic()
            results[key] = measure(plan, section_dir)
            took = time.monotonic() - began
            print(f"# {name} took {took:.0f} s", file=sys.stderr, flush=True)
    results.setdefault("notifier", _stored_notifier())
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if set(DEFAULT) <= set(which):
        results["targets"] = report.targets(results)
        report.print_report(results)
    else:
        print(json.dumps(_clean(results), indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(_clean(results), indent=2) + "\n")
    print(f"# results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
