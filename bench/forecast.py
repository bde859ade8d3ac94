"""Forecast accuracy and speed: `python -m bench.forecast --data FILE --horizon H [--json OUT]`.

Input: a long CSV `date,sku,quantity` (daily or weekly rows, aggregated to `--frequency`), or a
wide one (a date column, then one column per SKU: `--wide`, or detected when there is no `sku`
column), or `--synthetic N` weekly series (`--kind`: mixed, the default, three years of
seasonality, trend and intermittency; or seasonal, trend, intermittent, shift, randomwalk;
`--weeks`, `--seed`). `--history N` keeps N periods before the hold-out (a short history);
`--origins K --step S` repeats the hold-out at K rolling origins S periods apart (means);
`--cuts K --step S --history N [--skip P]` turns each series into K series of N + H periods
cut S apart, on one calendar (many short series from a few long ones).
For each SKU the last H periods are held out; `server.companies.forecasting.forecast` sees only
the rest (its own backtest included). Printed: MASE and sMAPE per model and for the chosen
forecasts (mean and median over SKUs), the share of SKUs where the chosen forecast beats seasonal
naive, the 80% interval coverage on the hold-out, and the seconds for fit plus predict.

MASE's scale is the training part's mean absolute one-step difference (see forecasting_series.py).
Figures are stated in the README; nothing here is a timed test.
"""

# pandas-stubs types most frame and series operations as unions (Series | DataFrame | scalar),
# which the numeric code below narrows at run time; these checks are off for this module only.
# pyright: reportArgumentType=false, reportAttributeAccessIssue=false, reportCallIssue=false
# pyright: reportReturnType=false, reportUnhashable=false, reportIndexIssue=false
# pyright: reportOperatorIssue=false, reportAssignmentType=false, reportOptionalMemberAccess=false
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.forecast_data import KINDS, cuts, read_data, synthetic
from server.companies import forecasting as fc
from server.companies import forecasting_series as fs

REPORTED = (
    "naive",
    "seasonal_naive",
    "auto_ets",
    "auto_theta",
    "croston_optimized",
    "window_average",
    "ses",
    "lightgbm",
    "ensemble",
    "ensemble_lgbm",
    "ensemble_lgbm_mean",
    "ensemble_ses",
)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (statsforecast's pool): wall
    time misleads on a shared machine."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run(
    data: pd.DataFrame,
    horizon: int,
    frequency: str,
    n_jobs: int,
    use_lgbm: bool | None,
    history: int | None = None,
) -> dict[str, Any]:
    prepared = fs.prepare(data, frequency)
    if history:  # only the last `history` periods before the hold-out (short-history runs)
        prepared = prepared.groupby("unique_id", group_keys=False).tail(history + horizon)
    train_parts, tests = [], {}
    for uid, g in prepared.groupby("unique_id"):
        if len(g) <= horizon:
            continue
        train_parts.append(g.iloc[:-horizon])
        tests[str(uid)] = g["y"].to_numpy()[-horizon:]
    train = pd.concat(train_parts, ignore_index=True)
    started = time.perf_counter()
    cpu0 = _cpu()
    out = fc.forecast(
        train,
        frequency,
        horizon,
        levels=(80, 95),
        n_jobs=n_jobs,
        with_candidates=True,
        use_lgbm=use_lgbm,
    )
    seconds = time.perf_counter() - started
    cpu_seconds = _cpu() - cpu0
    per_model: dict[str, dict[str, list[float]]] = {}
    chosen_m, chosen_s, beats, inside = [], [], [], []
    trains = {str(u): g["y"].to_numpy() for u, g in train.groupby("unique_id")}
    for uid, actual in tests.items():
        s = out.series[uid]
        scale = fs.mase_scale(trains[uid], frequency)
        mean = np.array([p.mean for p in s.points])
        m = float(np.mean(np.abs(actual - mean)) / scale)
        chosen_m.append(m)
        chosen_s.append(fs.smape(actual, mean))
        lo = np.array([p.lo[80] for p in s.points])
        hi = np.array([p.hi[80] for p in s.points])
        inside.extend(((actual >= lo - 1e-9) & (actual <= hi + 1e-9)).tolist())
        for name in REPORTED:
            if name not in s.candidates:
                continue
            pred = np.clip(np.array(s.candidates[name]), 0, None)
            d = per_model.setdefault(name, {"mase": [], "smape": []})
            d["mase"].append(float(np.mean(np.abs(actual - pred)) / scale))
            d["smape"].append(fs.smape(actual, pred))
        if "seasonal_naive" in s.candidates:
            sn = np.clip(np.array(s.candidates["seasonal_naive"]), 0, None)
            beats.append(m < float(np.mean(np.abs(actual - sn)) / scale))

    def summary(ms: list[float], ss: list[float]) -> dict[str, float]:
        return {
            "mase": float(np.mean(ms)),
            "smape": float(np.mean(ss)),
            "mase_median": float(np.median(ms)),
            "smape_median": float(np.median(ss)),
        }

    models = {k: summary(v["mase"], v["smape"]) for k, v in per_model.items()}
    chosen = summary(chosen_m, chosen_s)
    chosen["coverage80"] = float(np.mean(inside)) if inside else float("nan")
    return {
        "n_series": len(tests),
        "horizon": horizon,
        "frequency": frequency,
        "strategy": out.strategy,
        "per_product": bool(out.backtest.get("per_product")),
        "backtest_coverage": out.backtest.get("coverage"),
        "chosen": chosen,
        "beats_seasonal_naive": float(np.mean(beats)) if beats else None,
        "baselines": {k: models[k] for k in ("naive", "seasonal_naive", "auto_ets") if k in models},
        "models": models,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
    }


def run_origins(
    data: pd.DataFrame,
    horizon: int,
    frequency: str,
    n_jobs: int,
    use_lgbm: bool | None,
    history: int | None,
    origins: int,
    step: int,
) -> dict[str, Any]:
    """`run` at `origins` rolling origins, each `step` periods before the next (the latest
    first): the figures are means over the origins (each a mean over SKUs), the seconds sums;
    `details["origins"]` has each origin's cut, strategy, chosen and AutoETS MASE."""
    prepared = fs.prepare(data, frequency)
    periods = sorted(prepared["ds"].unique())
    runs, cuts = [], []
    for k in range(origins):
        if k * step >= len(periods):
            break
        cut = periods[len(periods) - 1 - k * step]
        runs.append(
            run(prepared[prepared["ds"] <= cut], horizon, frequency, n_jobs, use_lgbm, history)
        )
        cuts.append(pd.Timestamp(cut).date().isoformat())

    def mean(dicts: list[dict[str, float]]) -> dict[str, float]:
        return {k: float(np.mean([d[k] for d in dicts])) for k in dicts[0]}

    models = {
        m: mean([r["models"][m] for r in runs])
        for m in runs[0]["models"]
        if all(m in r["models"] for r in runs)
    }
    beats = [r["beats_seasonal_naive"] for r in runs if r["beats_seasonal_naive"] is not None]
    out = dict(runs[0])
    out.update(
        n_series=int(np.mean([r["n_series"] for r in runs])),
        strategy=", ".join(sorted({r["strategy"] for r in runs})),
        per_product=any(r["per_product"] for r in runs),
        chosen=mean([r["chosen"] for r in runs]),
        beats_seasonal_naive=float(np.mean(beats)) if beats else None,
        baselines={k: models[k] for k in ("naive", "seasonal_naive", "auto_ets") if k in models},
        models=models,
        seconds=round(sum(r["seconds"] for r in runs), 2),
        cpu_seconds=round(sum(r["cpu_seconds"] for r in runs), 2),
        origins=[
            {
                "cut": cut,
                "strategy": r["strategy"],
                "chosen_mase": r["chosen"]["mase"],
                "auto_ets_mase": r["models"].get("auto_ets", {}).get("mase"),
            }
            for cut, r in zip(cuts, runs, strict=True)
        ],
    )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.forecast", description=__doc__)
    p.add_argument("--data", type=Path, help="long CSV date,sku,quantity (or wide)")
    p.add_argument("--synthetic", type=int, default=0, help="N synthetic weekly series instead")
    p.add_argument("--kind", choices=KINDS, default="mixed", help="the synthetic series' kind")
    p.add_argument("--weeks", type=int, default=156, help="the synthetic series' length")
    p.add_argument("--seed", type=int, default=13, help="the synthetic series' seed")
    p.add_argument("--horizon", type=int, default=8)
    p.add_argument("--frequency", choices=["DAY", "WEEK", "MONTH"], default="WEEK")
    p.add_argument(
        "--wide", action="store_true", default=None, help="date, then one column per SKU"
    )
    p.add_argument("--jobs", type=int, default=-1, help="statsforecast processes (-1: all CPUs)")
    p.add_argument("--no-lgbm", action="store_true", help="never add the global LightGBM")
    p.add_argument(
        "--history", type=int, help="keep only this many periods before the hold-out (e.g. 52)"
    )
    p.add_argument(
        "--origins",
        type=int,
        default=1,
        help="rolling origins: also hold out the H periods before the last STEP, 2 STEP... cut"
        " periods (figures: the means over origins)",
    )
    p.add_argument("--step", type=int, default=13, help="periods between rolling origins")
    p.add_argument(
        "--cuts",
        type=int,
        default=0,
        help="cut each series into this many series of HISTORY + H periods, STEP apart, on one"
        " calendar (a panel of short series from a few long ones)",
    )
    p.add_argument("--skip", type=int, default=0, help="with --cuts: periods left off the end")
    p.add_argument("--json", type=Path, help="write the figures as JSON here")
    a = p.parse_args(argv)
    if a.synthetic:
        data = synthetic(a.synthetic, a.weeks, a.seed, a.kind)
    elif a.data:
        data = read_data(a.data, a.wide)
    else:
        p.error("--data or --synthetic is required")
    use_lgbm = False if a.no_lgbm else None
    if a.cuts:
        if not a.history:
            p.error("--cuts needs --history")
        data = cuts(data, a.frequency, a.cuts, a.step, a.history + a.horizon, a.skip)
    if a.origins > 1:
        res = run_origins(
            data, a.horizon, a.frequency, a.jobs, use_lgbm, a.history, a.origins, a.step
        )
        for o in res["origins"]:
            ets = o["auto_ets_mase"]
            print(
                f"origin {o['cut']}: chosen {o['chosen_mase']:.3f} ({o['strategy']}), "
                f"AutoETS {ets:.3f}"
                if ets is not None
                else f"origin {o['cut']}"
            )
        print(f"means over {len(res['origins'])} origins:")
    else:
        res = run(data, a.horizon, a.frequency, a.jobs, use_lgbm, a.history)
    c = res["chosen"]
    print(
        f"{res['n_series']} series, H={res['horizon']} {res['frequency']}, "
        f"strategy {res['strategy']}{' (+ per product)' if res['per_product'] else ''}"
    )
    print(f"{'model':<20}{'MASE mean':>10}{'median':>9}{'sMAPE mean':>11}{'median':>9}")
    for name, m in [*res["models"].items(), ("CHOSEN", c)]:
        print(
            f"{name:<20}{m['mase']:>10.3f}{m['mase_median']:>9.3f}"
            f"{m['smape']:>11.2f}{m['smape_median']:>9.2f}"
        )
    bsn = res["beats_seasonal_naive"]
    print(f"chosen beats seasonal naive on {bsn:.0%} of SKUs" if bsn is not None else "")
    print(f"80% interval coverage (hold-out): {c['coverage80']:.1%}")
    print(
        f"seconds (fit + predict, backtest included): {res['seconds']:.1f} wall, "
        f"{res['cpu_seconds']:.1f} CPU (user + sys; on 2 idle cores about "
        f"{res['cpu_seconds'] / 2:.1f} s wall with --jobs 2)"
    )
    if a.json:
        keep = {k: res[k] for k in ("n_series", "horizon", "seconds", "cpu_seconds")}
        keep["chosen"] = {k: c[k] for k in ("mase", "smape", "coverage80")}
        keep["baselines"] = {
            k: {"mase": v["mase"], "smape": v["smape"]} for k, v in res["baselines"].items()
        }
        keep["details"] = res
        a.json.write_text(json.dumps(keep, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
