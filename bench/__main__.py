"""Measure the bot beside its floors, in one run, and print the figures and the targets.

    python -m bench                  # every section (make bench), several minutes
    python -m bench --smoke          # tiny counts, every section (the test suite runs it)
    python -m bench ack logs         # chosen sections only (the targets need all of them)

Sections: ack (the bot, a bare Bolt app and the raw floor, interleaved), load (acks with long
commands in flight), get (get pods at three sizes beside one Table GET and kubectl), logs, and
footprint (a real `k8s-chatops run --mode http` child: start, RSS, a hostile command). Results:
a table on stdout and JSON in bench/results/latest.json (or --out). Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the fake Slack lives in tests/
    sys.path.insert(0, str(ROOT))

from bench import notifier, report, sections  # noqa: E402

SECTIONS = {
    "ack": ("ack", sections.ack),
    "load": ("ack_under_load", sections.ack_under_load),
    "get": ("get_pods", sections.get_pods),
    "logs": ("logs", sections.logs),
    "footprint": ("footprint", sections.footprint),
    "notifier": ("notifier", notifier.measure),
}


def _clean(value: Any) -> Any:
    """JSON has no NaN: missing figures become null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", help=f"sections: {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--smoke", action="store_true", help="tiny counts (seconds, not minutes)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "latest.json", help="JSON file"
    )
    args = parser.parse_args(argv)
    which = [w for w in args.which if w != "all"] or list(SECTIONS)
    unknown = sorted(set(which) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}: choose from {', '.join(SECTIONS)}")
    plan = sections.SMOKE if args.smoke else sections.Plan()
    results: dict[str, Any] = {"machine": report.machine(), "smoke": args.smoke}
    results["plan"] = {k: getattr(plan, k) for k in plan.__dataclass_fields__}
    with tempfile.TemporaryDirectory(prefix="k8s-bench-") as workdir:
        for name in which:
            key, measure = SECTIONS[name]
            print(f"# measuring {name} ...", file=sys.stderr, flush=True)
            section_dir = Path(workdir) / name
            section_dir.mkdir()
            results[key] = measure(plan, section_dir)
    results.setdefault("notifier", sections.notifier())
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if set(which) == set(SECTIONS):
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
