#!/usr/bin/env python3
"""Turns the records of one scripts/bench run into the table it prints, and
writes them as JSON: target/bench/bench-<sessions>-<date>.json and
target/bench/latest-<sessions>.json. With --compare, also sets this run's
first pages beside an earlier run's (10M against 1M)."""

import argparse
import json
import os
import sys

CASES = [
    ("first-l10", "first page, limit=10"),
    ("first-l100", "first page, limit=100"),
    ("first-l500", "first page, limit=500"),
    ("deep-l100", "median page, limit=100"),
    ("header-l100", "limit=100, X-Organization-Id"),
]
MIB = 1024


def rps(case):
    wrk = case["wrk"]
    return wrk["requests"] / wrk["duration_us"] * 1e6


def errors(case):
    wrk = case["wrk"]
    return sum(wrk[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))


def load(path):
    records = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    run = next(r for r in records if r["kind"] == "run")
    cases = {}
    for r in records:
        if r["kind"] == "case":
            r["rps"] = rps(r)
            cases[(r["backend"], r["case"], r["conns"])] = r
    imports = {r["backend"]: r for r in records if r["kind"] == "import"}
    trips = {r["backend"]: r for r in records if r["kind"] == "roundtrips"}
    return run, cases, imports, trips


def figures(run, cases, imports, trips):
    """The flat JSON written to target/bench/: one row per case, with its
    ratios to the ceiling at the same connection count."""
    rows = []
    for (backend, name, conns), case in sorted(cases.items(), key=lambda kv: (kv[0][0] != "nginx", kv[0])):
        ceiling = cases.get(("nginx", "ceiling-l100", conns))
        wrk = case["wrk"]
        rows.append({
            "backend": backend,
            "case": name,
            "connections": conns,
            "requests": wrk["requests"],
            "requests_per_second": round(case["rps"], 1),
            "p50_ms": wrk["p50_us"] / 1000,
            "p90_ms": wrk["p90_us"] / 1000,
            "p99_ms": wrk["p99_us"] / 1000,
            "errors": errors(case),
            "peak_rss_mib": None if case["peak_rss_kib"] is None else round(case["peak_rss_kib"] / MIB, 1),
            "load_average": case["load"],
            "rps_vs_ceiling": round(case["rps"] / ceiling["rps"], 4) if ceiling else None,
            "p50_vs_ceiling": round(wrk["p50_us"] / ceiling["wrk"]["p50_us"], 2) if ceiling else None,
            "p99_vs_ceiling": round(wrk["p99_us"] / ceiling["wrk"]["p99_us"], 2) if ceiling else None,
        })
    return {
        "run": run,
        "cases": rows,
        "imports": imports,
        "roundtrips_per_request": {
            b: round(t["transactions"] / t["requests"], 3) for b, t in trips.items()
        },
    }


def targets(cases, trips, compare):
    """(met, description, figure) for each target the issue sets."""
    out = []
    first = lambda b, c=16: cases.get((b, "first-l100", c))  # noqa: E731
    ceiling = cases.get(("nginx", "ceiling-l100", 16))
    for backend, bound in (("sqlite", 0.25), ("postgres", 0.12)):
        case = first(backend)
        if case and ceiling:
            ratio = case["rps"] / ceiling["rps"]
            out.append((ratio >= bound, f"{backend}: first page limit=100, 16 conns >= {bound:.0%} of the ceiling", f"{ratio:.1%}"))
    for backend in ("sqlite", "postgres"):
        for conns in (16, 64):
            deep, case = cases.get((backend, "deep-l100", conns)), first(backend, conns)
            if deep and case:
                ratio = deep["rps"] / case["rps"]
                out.append((ratio >= 0.9, f"{backend}: median page / first page >= 0.9 ({conns} conns)", f"{ratio:.2f}"))
    if compare:
        for backend in ("sqlite", "postgres"):
            case = first(backend)
            before = compare.get((backend, "first-l100", 16))
            if case and before:
                ratio = case["rps"] / before["requests_per_second"]
                out.append((ratio >= 0.9, f"{backend}: first page at this size / at {compare['sessions']:,} >= 0.9", f"{ratio:.2f}"))
    for backend, t in trips.items():
        per = t["transactions"] / t["requests"]
        out.append((per <= 2, f"{backend}: database round trips per request <= 2", f"{per:.2f}"))
    rss = [c["peak_rss_kib"] for (b, _, n), c in cases.items() if b == "sqlite" and n == 64 and c["peak_rss_kib"]]
    if rss:
        peak = max(rss) / MIB
        out.append((peak <= 64, "sqlite: server peak RSS under 64-conn load <= 64 MiB", f"{peak:.1f} MiB"))
    for backend in ("sqlite", "postgres"):
        case = first(backend)
        if case:
            p99 = case["wrk"]["p99_us"] / 1000
            out.append((p99 <= 10, f"{backend}: p99 at 16 conns, limit=100 <= 10 ms", f"{p99:.2f} ms"))
    return out


def table(run, cases, imports, trips, compare):
    lines = []
    lines.append(
        f"sessions-api bench, {run['date']}, commit {run['commit']}: {run['sessions']:,} sessions in the organization "
        f"(+ {run['noise_orgs']} x {run['noise']:,} in others); wrk {run['threads']} threads, "
        f"{run['duration']} per case after {run['warmup']} warm-up; pool {run['pool_size']}; "
        f"RUST_LOG={run['rust_log']}; {run['cpus']} CPUs ({run['cpu']})"
    )
    for backend, r in imports.items():
        lines.append(f"import {backend}: {r['rows']:,} rows in {r['seconds']} s ({r['rows'] / max(r['seconds'], 0.1):,.0f} rows/s)")
    lines.append("")
    head = f"{'backend':9} {'case':31} {'conns':>5} {'req/s':>9} {'x ceil':>7} {'p50 ms':>7} {'p99 ms':>7} {'p99 x ceil':>10} {'RSS MiB':>8} {'load':>5}"
    lines.append(head)
    lines.append("-" * len(head))
    names = dict(CASES, **{"ceiling-l100": "nginx static, limit=100 bytes"})
    order = [("nginx", "ceiling-l100")] + [(b, c) for b in ("sqlite", "postgres") for c, _ in CASES]
    for backend, name in order:
        for (b, n, conns), case in sorted(cases.items(), key=lambda kv: kv[0][2]):
            if (b, n) != (backend, name):
                continue
            ceiling = cases.get(("nginx", "ceiling-l100", conns))
            wrk = case["wrk"]
            ratio = f"{case['rps'] / ceiling['rps']:.1%}" if ceiling else "-"
            p99_ratio = f"{wrk['p99_us'] / ceiling['wrk']['p99_us']:.1f}x" if ceiling else "-"
            rss = f"{case['peak_rss_kib'] / MIB:.1f}" if case["peak_rss_kib"] else "-"
            bad = f"  {errors(case)} errors" if errors(case) else ""
            lines.append(
                f"{backend:9} {names[name]:31} {conns:>5} {case['rps']:>9,.0f} {ratio:>7} "
                f"{wrk['p50_us'] / 1000:>7.2f} {wrk['p99_us'] / 1000:>7.2f} {p99_ratio:>10} {rss:>8} {case['load']:>5}{bad}"
            )
    lines.append("")
    for backend, t in trips.items():
        lines.append(
            f"{backend}: {t['transactions'] / t['requests']:.2f} database round trips per request "
            f"({t['transactions']} transactions for {t['requests']} requests)"
        )
    if compare:
        lines.append(f"compared with {compare['path']} ({compare['sessions']:,} sessions, {compare['date']}):")
        for backend in ("sqlite", "postgres"):
            for conns in run["connections"]:
                now, then = cases.get((backend, "first-l100", conns)), compare.get((backend, "first-l100", conns))
                if now and then:
                    lines.append(
                        f"  {backend:9} first page limit=100, {conns} conns: {now['rps']:,.0f} vs {then['requests_per_second']:,.0f} req/s "
                        f"= {now['rps'] / then['requests_per_second']:.2f}"
                    )
    lines.append("")
    lines.append("targets:")
    for met, what, figure in targets(cases, trips, compare):
        lines.append(f"  [{'met' if met else 'MISSED'}] {what}: {figure}")
    return "\n".join(lines)


def load_compare(path):
    data = json.load(open(path, encoding="utf-8"))
    out = {(c["backend"], c["case"], c["connections"]): c for c in data["cases"]}
    out["sessions"] = data["run"]["sessions"]
    out["date"] = data["run"]["date"]
    out["path"] = path
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--compare")
    args = parser.parse_args()

    run, cases, imports, trips = load(args.results)
    compare = load_compare(args.compare) if args.compare else None
    text = table(run, cases, imports, trips, compare)
    data = figures(run, cases, imports, trips)
    data["table"] = text.splitlines()
    data["targets"] = [
        {"met": met, "target": what, "figure": figure} for met, what, figure in targets(cases, trips, compare)
    ]
    stamp = run["date"].replace(":", "").replace("-", "")
    path = os.path.join(args.out_dir, f"bench-{run['sessions']}-{stamp}.json")
    for target in (path, os.path.join(args.out_dir, f"latest-{run['sessions']}.json")):
        with open(target, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2)
            file.write("\n")
    print(text)
    print(f"\n(written to {path})", file=sys.stderr)


if __name__ == "__main__":
    main()
