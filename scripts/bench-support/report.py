#!/usr/bin/env python3
"""Turns the records of one scripts/bench run into the table it prints, and
writes them as JSON: target/bench/bench-<sessions>-<date>.json and
target/bench/latest-<sessions>.json. With --compare, also sets this run's
first pages beside an earlier run's (10M against 1M).

Each backend has its own ceiling: nginx measured right before that backend's
cases at the same connection count. Ratios are to that ceiling. Right after
it comes the floor: our own HTTP stack (crates/http/examples/static_page.rs)
serving the same bytes with no database work, the most the API could do on
this stack; the cases are also given as a share of it."""

import argparse
import json
import os
import sys

CASES = [
    ("first-l100", "first page, limit=100"),
    ("deep-l100", "median page, limit=100"),
    ("header-l100", "limit=100, X-Organization-Id"),
    ("first-l10", "first page, limit=10"),
    ("first-l500", "first page, limit=500"),
]
BOUNDS = ("ceiling-l100", "floor-l100")
NAMES = dict(CASES, **{"ceiling-l100": "nginx ceiling (limit=100 bytes)",
                       "floor-l100": "actix floor (limit=100 bytes)"})
BACKENDS = ("sqlite", "postgres")
MIB = 1024


def errors(case):
    wrk = case["wrk"]
    return sum(wrk[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))


class Run:
    def __init__(self, path):
        records = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
        self.run = next(r for r in records if r["kind"] == "run")
        # (backend, case, conns) -> case; the ceiling is filed under the
        # backend it was measured for, as ("<backend>", "ceiling-l100", conns).
        self.cases = {}
        for r in records:
            if r["kind"] == "case":
                r["rps"] = r["wrk"]["requests"] / r["wrk"]["duration_us"] * 1e6
                self.cases[(r["for"], r["case"], r["conns"])] = r
        self.imports = {r["backend"]: r for r in records if r["kind"] == "import"}
        self.trips = {r["backend"]: r for r in records if r["kind"] == "roundtrips"}
        self.statuses = {r["backend"]: r["counts"] for r in records if r["kind"] == "statuses"}

    def case(self, backend, name, conns=16):
        return self.cases.get((backend, name, conns))

    def ceiling(self, backend, conns):
        return self.cases.get((backend, "ceiling-l100", conns))

    def floor(self, backend, conns):
        return self.cases.get((backend, "floor-l100", conns))

    def rows(self):
        """Every case with its ratios to its ceiling, in table order."""
        out = []
        for backend in BACKENDS:
            for conns in self.run["connections"]:
                ceiling, floor = self.ceiling(backend, conns), self.floor(backend, conns)
                for name in list(BOUNDS) + [c for c, _ in CASES]:
                    case = self.case(backend, name, conns)
                    if case is None:
                        continue
                    wrk = case["wrk"]
                    out.append({
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
                        "p50_vs_ceiling": round(wrk["p50_us"] / max(ceiling["wrk"]["p50_us"], 1), 2) if ceiling else None,
                        "p99_vs_ceiling": round(wrk["p99_us"] / max(ceiling["wrk"]["p99_us"], 1), 2) if ceiling else None,
                        "rps_vs_floor": round(case["rps"] / floor["rps"], 4) if floor and name not in BOUNDS else None,
                    })
        return out

    def floors(self):
        """Per backend and connection count: the floor as a share of the
        ceiling, and the first page (limit=100) as a share of the floor."""
        out = []
        for backend in BACKENDS:
            for conns in self.run["connections"]:
                ceiling, floor, first = (self.ceiling(backend, conns), self.floor(backend, conns),
                                         self.case(backend, "first-l100", conns))
                if floor:
                    out.append({
                        "backend": backend,
                        "connections": conns,
                        "requests_per_second": round(floor["rps"], 1),
                        "floor_vs_ceiling": round(floor["rps"] / ceiling["rps"], 4) if ceiling else None,
                        "first_page_vs_floor": round(first["rps"] / floor["rps"], 4) if first else None,
                    })
        return out

    def targets(self, compare):
        """(met, description, figure) for each target the issue sets."""
        out = []
        for backend, bound in (("sqlite", 0.25), ("postgres", 0.12)):
            case, ceiling = self.case(backend, "first-l100"), self.ceiling(backend, 16)
            if case and ceiling:
                ratio = case["rps"] / ceiling["rps"]
                out.append((ratio >= bound, f"{backend}: first page limit=100, 16 conns >= {bound:.0%} of the ceiling", f"{ratio:.1%}"))
        for backend in BACKENDS:
            for conns in self.run["connections"]:
                deep, first = self.case(backend, "deep-l100", conns), self.case(backend, "first-l100", conns)
                if deep and first:
                    ratio = deep["rps"] / first["rps"]
                    out.append((ratio >= 0.9, f"{backend}: median page / first page >= 0.9 ({conns} conns)", f"{ratio:.2f}"))
        if compare:
            for backend in BACKENDS:
                case, before = self.case(backend, "first-l100"), compare.get((backend, "first-l100", 16))
                if case and before:
                    ratio = case["rps"] / before["requests_per_second"]
                    out.append((ratio >= 0.9, f"{backend}: first page at {self.run['sessions']:,} / at {compare['sessions']:,} >= 0.9", f"{ratio:.2f}"))
                    if before.get("rps_vs_ceiling") and self.ceiling(backend, 16):
                        own = case["rps"] / self.ceiling(backend, 16)["rps"]
                        out.append((own / before["rps_vs_ceiling"] >= 0.9,
                                    f"{backend}: the same, each as a ratio to its own run's ceiling",
                                    f"{own / before['rps_vs_ceiling']:.2f}"))
        for backend, t in self.trips.items():
            per = t["transactions"] / t["requests"]
            out.append((per <= 2, f"{backend}: database round trips per request <= 2", f"{per:.2f}"))
        rss = [c["peak_rss_kib"] for (b, name, n), c in self.cases.items()
               if b == "sqlite" and n == 64 and name not in BOUNDS and c["peak_rss_kib"]]
        if rss:
            peak = max(rss) / MIB
            out.append((peak <= 64, "sqlite: server peak RSS under 64-conn load <= 64 MiB", f"{peak:.1f} MiB"))
        for backend in BACKENDS:
            case = self.case(backend, "first-l100")
            if case:
                p99 = case["wrk"]["p99_us"] / 1000
                out.append((p99 <= 10, f"{backend}: p99 at 16 conns, limit=100 <= 10 ms", f"{p99:.2f} ms"))
        bad = [(b, n, c) for (b, n, c), case in self.cases.items() if errors(case)]
        out.append((not bad, "no errors (every answer 200, no timeouts)",
                    "none" if not bad else ", ".join(f"{b} {n} c={c}" for b, n, c in sorted(bad))))
        return out

    def table(self, compare):
        run = self.run
        lines = [
            f"sessions-api bench, {run['date']}, commit {run['commit']}: {run['sessions']:,} sessions in the organization "
            f"(+ {run['noise_orgs']} x {run['noise']:,} in others); wrk {run['threads']} threads, "
            f"{run['duration']} per case after {run['warmup']} warm-up; pool {run['pool_size']}; "
            f"PostgreSQL sslmode={run.get('pg_sslmode', 'prefer')}; RUST_LOG={run['rust_log']}; {run['cpus']} CPUs ({run['cpu']})"
        ]
        for backend, r in self.imports.items():
            lines.append(f"import {backend}: {r['rows']:,} rows in {r['seconds']} s ({r['rows'] / max(r['seconds'], 0.1):,.0f} rows/s)")
        lines.append("")
        head = (f"{'backend':9} {'case':31} {'conns':>5} {'req/s':>9} {'x ceil':>7} {'p50 ms':>7} {'p99 ms':>7} "
                f"{'p99/ceil':>8} {'RSS MiB':>8} {'load':>5}")
        lines += [head, "-" * len(head)]
        for row in self.rows():
            ceiling = row["case"] == "ceiling-l100"
            lines.append(
                f"{row['backend']:9} {NAMES[row['case']]:31} {row['connections']:>5} {row['requests_per_second']:>9,.0f} "
                f"{'=1' if ceiling else format(row['rps_vs_ceiling'] or 0, '.1%'):>7} "
                f"{row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f} "
                f"{'' if ceiling else format(row['p99_vs_ceiling'] or 0, '.1f') + 'x':>8} "
                f"{'-' if ceiling or row['peak_rss_mib'] is None else format(row['peak_rss_mib'], '.1f'):>8} "
                f"{row['load_average']:>5}" + (f"  {row['errors']} errors" if row["errors"] else "")
            )
        lines.append("")
        for backend in BACKENDS:
            for conns in run["connections"]:
                ceiling, floor, first = (self.ceiling(backend, conns), self.floor(backend, conns),
                                         self.case(backend, "first-l100", conns))
                if ceiling and floor and first:
                    lines.append(
                        f"{backend}, {conns} conns: the floor is {floor['rps'] / ceiling['rps']:.1%} of the ceiling, "
                        f"the first page (limit=100) {first['rps'] / floor['rps']:.1%} of the floor"
                    )
        for backend, t in self.trips.items():
            lines.append(
                f"{backend}: {t['transactions'] / t['requests']:.2f} database round trips per request "
                f"({t['transactions']} transactions for {t['requests']} sequential requests)"
            )
        for backend, counts in self.statuses.items():
            lines.append(f"{backend}: answers by status {json.dumps(counts, sort_keys=True)}")
        if compare:
            lines.append(f"compared with {compare['path']} ({compare['sessions']:,} sessions, {compare['date']}):")
            for backend in BACKENDS:
                for conns in run["connections"]:
                    now, then = self.case(backend, "first-l100", conns), compare.get((backend, "first-l100", conns))
                    if now and then:
                        lines.append(
                            f"  {backend:9} first page limit=100, {conns} conns: {now['rps']:,.0f} vs "
                            f"{then['requests_per_second']:,.0f} req/s = {now['rps'] / then['requests_per_second']:.2f}"
                        )
        lines += ["", "targets:"]
        for met, what, figure in self.targets(compare):
            lines.append(f"  [{'met' if met else 'MISSED'}] {what}: {figure}")
        return "\n".join(lines)


def load_compare(path):
    data = json.load(open(path, encoding="utf-8"))
    out = {(c["backend"], c["case"], c["connections"]): c for c in data["cases"]}
    out.update(sessions=data["run"]["sessions"], date=data["run"]["date"], path=path)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--compare")
    args = parser.parse_args()

    run = Run(args.results)
    compare = load_compare(args.compare) if args.compare else None
    text = run.table(compare)
    data = {
        "run": run.run,
        "cases": run.rows(),
        "imports": run.imports,
        "floor": run.floors(),
        "roundtrips_per_request": {b: round(t["transactions"] / t["requests"], 3) for b, t in run.trips.items()},
        "statuses": run.statuses,
        "targets": [{"met": m, "target": w, "figure": f} for m, w, f in run.targets(compare)],
        "table": text.splitlines(),
    }
    stamp = run.run["date"].replace(":", "").replace("-", "")
    path = os.path.join(args.out_dir, f"bench-{run.run['sessions']}-{stamp}.json")
    for target in (path, os.path.join(args.out_dir, f"latest-{run.run['sessions']}.json")):
        with open(target, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2)
            file.write("\n")
    print(text)
    print(f"\n(written to {path})", file=sys.stderr)


if __name__ == "__main__":
    main()
