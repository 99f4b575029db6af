"""The machine, the table of figures and the issue's targets with where each landed."""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

Data = dict[str, Any]
ROOT = Path(__file__).resolve().parent.parent


def machine() -> Data:
    """nproc, Python, CPU model, load average, date and the commit measured."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return {
        "nproc": os.cpu_count(),
        "python": sys.version.split()[0],
        "cpu_model": model or platform.processor(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": commit,
    }


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.2f}"
    return str(value)


def rows(results: Data) -> list[tuple[str, str, str]]:
    """(section, figure, value) for the printed table."""
    out: list[tuple[str, str, str]] = []
    ack = results["ack"]
    for arm, data in ack["arms"].items():
        out.append(
            (
                "ack",
                f"{arm}: {ack['commands_per_arm']} commands at concurrency {ack['concurrency']}",
                f"p50 {_fmt(data['p50_ms'])} ms, p99 {_fmt(data['p99_ms'])} ms"
                + (f", {data['not_200']} not 200" if data["not_200"] else ""),
            )
        )
    for name, value in ack["ratios"].items():
        out.append(("ack", name.replace("_", " "), f"{_fmt(value)}x"))
    out.append(
        (
            "ack",
            "bot: answered; acked busy (no room in the workers)",
            f"{ack['bot_answer']['n']}; {ack.get('bot_busy_acks', 0)}",
        )
    )
    for k, level in results["ack_under_load"]["levels"].items():
        out.append(
            (
                "ack under load",
                f"{k} long rollout status in flight, {level['probes']} probes",
                f"ack p50 {_fmt(level['probe_ack']['p50_ms'])} / max "
                f"{_fmt(level['probe_ack']['max_ms'])} ms ({level['probe_not_200']} not 200, "
                f"HTTP answer p50 {_fmt(level['probe_http_answer']['p50_ms'])} ms); "
                f"answer p50 {_fmt(level['probe_answer']['p50_ms'])} / max "
                f"{_fmt(level['probe_answer']['max_ms'])} ms "
                f"({level['probes_unanswered']} not answered in {level['answer_wait_s']} s)",
            )
        )
    for pods, size in results["get_pods"]["sizes"].items():
        arms = size["arms"]
        figures = ", ".join(
            f"{arm} {_fmt(a['p50_ms'])} (p95 {_fmt(a['p95_ms'])})" for arm, a in arms.items()
        )
        out.append(("get pods", f"{pods} pods, median ms", figures))
        out.append(
            (
                "get pods",
                f"{pods} pods, ratios",
                f"bot/floor {_fmt(size['bot_over_floor'])}x, "
                f"bot/(floor + replay record) {_fmt(size['bot_over_floor_and_record'])}x, "
                f"bot/bare Bolt doing the GET {_fmt(size['bot_over_bare_bolt'])}x, "
                f"bot/slash floor {_fmt(size['bot_over_slash_floor'])}x, "
                f"slash floor/floor {_fmt(size['slash_floor_over_floor'])}x, "
                f"(floor + slash echo)/floor {_fmt(size['floor_and_echo_over_floor'])}x, "
                f"(floor and record + slash echo)/floor "
                f"{_fmt(size['floor_record_and_echo_over_floor'])}x, "
                f"kubectl/bot {_fmt(size['kubectl_over_bot'])}x",
            )
        )
        cpu = size["cpu_ms_per_call"]
        out.append(
            (
                "get pods",
                f"{pods} pods, CPU ms per call",
                f"bot: its processes {_fmt(cpu['bot']['bot'])} + sandbox "
                f"{_fmt(cpu['bot']['sandbox'])}; floor: its client {_fmt(cpu['floor']['client'])}"
                f" + sandbox {_fmt(cpu['floor']['sandbox'])}; slash floor: its process "
                f"{_fmt(cpu['slash_floor']['slash_floor'])} + sandbox "
                f"{_fmt(cpu['slash_floor']['sandbox'])}",
            )
        )
        if size.get("file_mb"):
            out.append(
                (
                    "get pods",
                    f"{pods} pods, attached file",
                    f"slash -> file p50 {_fmt(size['bot_to_file']['p50_ms'])} ms; "
                    f"{size['file_mb']} MB file; the bot's RSS {size['bot_rss_mb']} MB, "
                    f"its peak {size['bot_peak_rise_mb']} MB above it",
                )
            )
    logs = results["logs"]
    for case in logs["cases"].values():
        out.append(
            (
                "logs",
                f"{case['text']} ({logs['log_lines']} lines, {logs['log_bytes']} B log)",
                f"bot {_fmt(case['bot']['p50_ms'])} ms, floor {_fmt(case['floor']['p50_ms'])} ms "
                f"({_fmt(case['bot_over_floor'])}x); "
                f"the bot's RSS peak +{case['bot_peak_rise_mb']} MB, "
                f"the floor's client traced {case['floor_peak_traced_mb']} MB",
            )
        )
    foot = results["footprint"]
    out.append(("footprint", "start to ready (HTTP port answers)", f"{foot['start_to_ready_s']} s"))
    out.append(
        (
            "footprint",
            "idle RSS (both processes)",
            f"{foot['idle_rss_mb']} MB, the ack process's {foot['ack_process_idle_rss_mb']} MB",
        )
    )
    out.append(
        (
            "footprint",
            f"RSS after {foot['commands']} commands (peak)",
            f"{foot['rss_after_commands_mb']} MB ({foot['peak_rss_mb']} MB)",
        )
    )
    hostile = foot["hostile"]
    refused = hostile.get("refused_ms")
    lone = hostile.get("refused", {})
    out.append(
        (
            "hostile input",
            f"a {hostile['bytes']} B command alone, {lone.get('n', 1)} times: refusal",
            (
                f"refused in the {hostile['refused_in']}: median {refused} ms, slowest "
                f"{_fmt(lone.get('max_ms', refused))} ms (the raw floor acks the same body in "
                f"{hostile.get('floor_ack_ms')} ms)"
                if refused is not None
                else f"not refused in {hostile['answer_wait_s']} s"
            ),
        )
    )
    out.append(
        (
            "hostile input",
            f"probe ack p99 before / with {hostile['flood']} in flight",
            f"{_fmt(hostile['probe_ack_before']['p99_ms'])} / "
            f"{_fmt(hostile['probe_ack_during']['p99_ms'])} ms "
            f"({hostile['probe_not_200_during']} not 200)",
        )
    )
    out.append(
        ("notifier", "state change -> post; RSS at 10,000 deployments", results["notifier"]["why"])
    )
    return out


def _check(name: str, landed: str, *, ok: bool | None) -> Data:
    return {"target": name, "met": ok, "landed": landed}


def targets(results: Data) -> list[Data]:
    """Each target of the issue, and where this run put it (``met`` None: not measurable)."""
    found: list[Data] = []
    ratios = results["ack"]["ratios"]
    over_floor = ratios["bot_p99_over_floor"]
    over_bolt = ratios["bot_p99_over_bare_bolt"]
    found += [
        _check("ack p99 <= 2x the raw floor", f"{_fmt(over_floor)}x", ok=over_floor <= 2),
        _check("ack p99 below bare Bolt's", f"{_fmt(over_bolt)}x", ok=over_bolt < 1),
    ]
    levels = results["ack_under_load"]["levels"]
    top = levels[max(levels, key=int)]
    k = top["long_commands"]
    found.append(
        _check(
            f"with {k} long commands in flight every probe acked < 100 ms",
            f"slowest {_fmt(top['probe_ack']['max_ms'])} ms, {top['probe_not_200']} not 200",
            ok=top["probe_not_200"] == 0 and top["probe_ack"]["max_ms"] < 100,
        )
    )
    found.append(
        _check(
            f"with {k} long commands in flight every probe answered < 1 s",
            f"slowest {_fmt(top['probe_answer']['max_ms'])} ms, "
            f"{top['probes_unanswered']} unanswered in {top['answer_wait_s']} s",
            ok=top["probes_unanswered"] == 0 and top["probe_answer"]["max_ms"] < 1000,
        )
    )
    for pods, size in results["get_pods"]["sizes"].items():
        limit = 2.0 if int(pods) <= 50 else 1.3
        value, lead = size["bot_over_floor"], size["kubectl_over_bot"]
        found += [
            _check(
                f"get pods at {pods}: bot <= {limit}x floor",
                f"{_fmt(value)}x (the slash floor: {_fmt(size['slash_floor_over_floor'])}x; "
                f"the GET, the record and a reply's way in and out: "
                f"{_fmt(size['floor_record_and_echo_over_floor'])}x)",
                ok=value <= limit,
            ),
            _check(
                f"get pods at {pods}: >= 3x faster than kubectl",
                f"{_fmt(lead)}x",
                ok=None if math.isnan(lead) else lead >= 3,
            ),
        ]
    hostile = results["footprint"]["hostile"]
    refused_ms = hostile.get("refused_ms")
    found.append(
        _check(
            f"a {hostile['bytes'] // 1000} KB command refused in < 10 ms (median)",
            f"{refused_ms} ms (in the {hostile['refused_in']})"
            if refused_ms is not None
            else "no refusal in time",
            ok=refused_ms is not None and refused_ms < 10,
        )
    )
    before = hostile["probe_ack_before"]["p99_ms"]
    during = hostile["probe_ack_during"]["p99_ms"]
    found.append(
        _check(
            f"{hostile['flood']} of them in flight change no other ack (p99 <= 2x before, all 200)",
            f"{_fmt(before)} -> {_fmt(during)} ms",
            ok=hostile["probe_not_200_during"] == 0 and during <= 2 * before,
        )
    )
    found.append(_check("notifier figures", results["notifier"]["why"], ok=None))
    return found


def mark(*, met: bool | None) -> str:
    return {True: "pass", False: "MISS", None: "n/a"}[met]


def print_report(results: Data) -> None:
    m = results["machine"]
    print(
        f"# {m['date_utc']}  commit {m['commit'][:12]}  {m['nproc']} CPUs ({m['cpu_model']}), "
        f"Python {m['python']}, load average at start {m['load_average_at_start']}"
    )
    table = rows(results)
    width = max(len(r[1]) for r in table)
    for section, figure, value in table:
        print(f"{section:<15} {figure:<{width}}  {value}")
    print("# targets (issue 9)")
    for target in results["targets"]:
        print(f"{mark(met=target['met']):<5} {target['target']}: {target['landed']}")
