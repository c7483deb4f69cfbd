"""The results table: one row per metric, terminado against the CI terminal, with verdicts."""

from __future__ import annotations

from bench import Bench
from common import CI, TERMINADO


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(bench: Bench) -> list[list[str]]:
    r = bench.results
    rows: list[list[str]] = [
        ["metric", "terminado", "CI terminal", "ours vs terminado", "target", "result"]
    ]
    if "throughput" in r:
        rows += _throughput_rows(bench)
    if "echo" in r:
        rows += _echo_rows(bench)
    if "many" in r:
        rows += _many_rows(bench)
    if "memory" in r:
        rows += _memory_rows(bench)
    if "interrupt" in r:
        rows += _interrupt_rows(bench)
    return rows


def _throughput_rows(bench: Bench) -> list[list[str]]:
    rows = []
    tp = bench.results["throughput"]
    t_tp, c_tp = tp[TERMINADO]["mb_s_median"], tp[CI]["mb_s_median"]
    rows.append(
        [
            f"1. cat {bench.mb} MB, MB/s (median of {bench.reps})",
            f"{t_tp:.1f}",
            f"{c_tp:.1f}",
            f"{c_tp / t_tp:.2f}x",
            ">= 1.20x",
            verdict(c_tp >= 1.2 * t_tp),
        ]
    )
    if "ceiling" in tp:
        ceiling, ratio = tp["ceiling"]["mb_s_median"], tp["ci_vs_ceiling_median"]
        loads = ", ".join(r["loadavg"].split()[0] for r in tp["ceiling"]["runs"])
        rows.append(
            [
                f"   raw pty ceiling, MB/s (load average {loads})",
                "",
                f"{ceiling:.1f}",
                f"CI {ratio:.2f}x ceiling",
                ">= 0.80x",
                verdict(ratio >= 0.8),
            ]
        )
    if "runner" in tp:
        rows.append(
            [
                "   the runner alone (no Jupyter server), MB/s",
                "",
                f"{tp['runner']['mb_s_median']:.1f}",
                f"{tp['runner_vs_ceiling_median']:.2f}x ceiling",
                "",
                "",
            ]
        )
    return rows


def _echo_rows(bench: Bench) -> list[list[str]]:
    rows = []
    e = bench.results["echo"]
    d50 = e[CI]["p50_ms"] - e[TERMINADO]["p50_ms"]
    rows.append(
        [
            f"2. echo p50, ms (n={e[CI]['n']})",
            f"{e[TERMINADO]['p50_ms']:.2f}",
            f"{e[CI]['p50_ms']:.2f}",
            f"{d50:+.2f} ms",
            "<= +1 ms",
            verdict(d50 <= 1.0),
        ]
    )
    rows.append(
        [
            "   echo p99, ms",
            f"{e[TERMINADO]['p99_ms']:.2f}",
            f"{e[CI]['p99_ms']:.2f}",
            f"{e[CI]['p99_ms'] / e[TERMINADO]['p99_ms']:.2f}x",
            "",
            "",
        ]
    )
    return rows


def _many_rows(bench: Bench) -> list[list[str]]:
    rows = []
    m = bench.results["many"]
    n = m["sessions"]
    rows.append(
        [
            f"3. {n} idle sessions, round-robin echo p99, ms",
            f"{m[TERMINADO]['rr_p99_ms']:.2f}",
            f"{m[CI]['rr_p99_ms']:.2f}",
            f"{m[CI]['rr_p99_ms'] / m[TERMINADO]['rr_p99_ms']:.2f}x",
            f"< 50 ms ({n}/{bench.sessions} sessions)",
            verdict(m[CI]["rr_p99_ms"] < 50 and n >= bench.sessions),
        ]
    )
    rows.append(
        [
            "   round-robin echo p50, ms",
            f"{m[TERMINADO]['rr_p50_ms']:.2f}",
            f"{m[CI]['rr_p50_ms']:.2f}",
            f"{m[CI]['rr_p50_ms'] / m[TERMINADO]['rr_p50_ms']:.2f}x",
            "",
            "",
        ]
    )
    rows.append(
        [
            f"   one keystroke to all {n} at once: p50 / p99, ms",
            f"{m[TERMINADO]['burst_p50_ms']:.1f} / {m[TERMINADO]['burst_p99_ms']:.1f}",
            f"{m[CI]['burst_p50_ms']:.1f} / {m[CI]['burst_p99_ms']:.1f}",
            "",
            "",
            "",
        ]
    )
    return rows


def _memory_rows(bench: Bench) -> list[list[str]]:
    rows = []
    mem = bench.results["memory"]
    rows.append(
        [
            f"4. server RSS growth, stalled viewer, {bench.mb} MB, MiB",
            f"{mem[TERMINADO]['growth_mib']:.1f}",
            f"{mem[CI]['growth_mib']:.1f}",
            f"{mem[CI]['growth_mib'] - mem[TERMINADO]['growth_mib']:+.1f} MiB",
            "< 16 MiB",
            verdict(mem[CI]["growth_mib"] < 16 and mem[CI]["peak_growth_mib"] < 16),
        ]
    )
    rows.append(
        [
            "   peak RSS growth during the cat, MiB",
            f"{mem[TERMINADO]['peak_growth_mib']:.1f}",
            f"{mem[CI]['peak_growth_mib']:.1f}",
            "",
            "",
            "",
        ]
    )
    if "runner_growth_mib" in mem[CI]:
        rows.append(
            [
                "   runner RSS growth (CI only), MiB",
                "-",
                f"{mem[CI]['runner_growth_mib']:.1f}",
                "",
                "",
                "",
            ]
        )
    rows.append(
        [
            "   reading viewer's MB/s beside the stalled one",
            f"{mem[TERMINADO]['reader_mb_s']:.1f}",
            f"{mem[CI]['reader_mb_s']:.1f}",
            f"{mem[CI]['reader_mb_s'] / mem[TERMINADO]['reader_mb_s']:.2f}x",
            "",
            "",
        ]
    )
    return rows


def _interrupt_rows(bench: Bench) -> list[list[str]]:
    i = bench.results["interrupt"]
    t, c = i[TERMINADO], i[CI]
    n = len(c["runs"])
    plain = i.get("ci_no_acks")
    extra = []
    if plain is not None:
        extra.append(
            [
                "   CI terminal read without acks: median / max, s",
                "",
                f"{plain['median_s']:.2f} / {plain['max_s']:.2f}",
                "",
                "",
                "",
            ]
        )
    return [
        [
            f"5. Ctrl-C during yes at 8 MB/s, s (median of {n}; CI: acks as the Lab sends)",
            f"{t['median_s']:.2f}",
            f"{c['median_s']:.2f}",
            f"{c['median_s'] / t['median_s']:.2f}x",
            "<= 0.3 s",
            verdict(c["median_s"] <= 0.3),
        ],
        ["   max, s", f"{t['max_s']:.2f}", f"{c['max_s']:.2f}", "", "", ""],
        [
            "   MB read after Ctrl-C (median)",
            f"{t['median_mb_after']:.1f}",
            f"{c['median_mb_after']:.1f}",
            "",
            "",
            "",
        ],
        *extra,
    ]


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))
